-- false_rejections: the leads sales rejected that later won, one row per lead.
-- "Later" means a deal won strictly after the rejection; a lead whose only wins came
-- before its rejection is not a false rejection.
with

leads as (
    select * from lead_facts
    where rejected_at is not null
),

-- won deals of these leads won after the rejection (deal_base: when won, and the amount
-- in the reporting currency, NULL when unknown)
won_after as (
    select
        d.lead_id,
        d.won_at,
        d.amount
    from deal_base d
    join leads l using (lead_id)
    where d.is_won
      and d.won_at > l.rejected_at
),

per_lead as (
    select
        lead_id,
        min(won_at) as first_won_at,
        -- unknown (NULL), not 0, when no deal has an amount in the reporting currency
        case when getvariable('money_known') then coalesce(sum(amount), 0)::double end
            as won_revenue
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
        (epoch(p.first_won_at) - epoch(l.rejected_at)) / 86400e0 as days_rejected_to_won
    from leads l
    join per_lead p using (lead_id)
)

select * from final
order by won_revenue desc, lead_id
