-- false_rejections: the leads sales rejected that later won, one row per lead.
-- "Later" means a deal won strictly after the rejection; a lead whose only wins came
-- before its rejection is not a false rejection.
with

leads as (
    select * from lead_facts
    where rejected_at is not null
),

-- won deals of these leads; a deal is won when it closed, or when it was created if the
-- CRM gives no close date
won_after as (
    select
        d.lead_id,
        coalesce(d.closed_at, d.created_at) as won_at,
        case
            when d.currency is null or d.currency = $currency then coalesce(d.amount, 0)
            else 0
        end as amount
    from deals d
    join leads l using (lead_id)
    where d.is_won
      and coalesce(d.closed_at, d.created_at) > l.rejected_at
),

per_lead as (
    select
        lead_id,
        min(won_at) as first_won_at,
        -- unknown (NULL), not 0, when no deal has an amount in the reporting currency
        case when getvariable('money_known') then sum(amount)::double end as won_revenue
    from won_after
    group by lead_id
),

final as (
    select
        l.lead_id,
        l.source,
        l.campaign,
        l.owner,
        l.lead_score,
        l.rejected_at,
        l.rejection_reason,
        p.first_won_at,
        p.won_revenue,
        epoch(p.first_won_at - l.rejected_at) / 86400.0 as days_rejected_to_won
    from leads l
    join per_lead p using (lead_id)
)

select * from final
order by won_revenue desc, lead_id
