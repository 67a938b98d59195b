-- missed_leads: leads that never became MQLs but won a deal, one row per lead.
with

leads as (
    select * from lead_facts
    where not is_mql and is_won
),

-- when these leads first won (deal_base: a deal is won when it closed, or when it was
-- created if the CRM gives no close date)
per_lead as (
    select
        d.lead_id,
        min(d.won_at) as first_won_at
    from deal_base d
    join leads l using (lead_id)
    where d.is_won
    group by d.lead_id
),

final as (
    select
        l.lead_id,
        l.source,
        l.campaign,
        l.owner,
        l.lead_score,
        l.created_at,
        p.first_won_at,
        l.won_revenue::double as won_revenue
    from leads l
    join per_lead p using (lead_id)
)

select * from final
order by won_revenue desc, lead_id
