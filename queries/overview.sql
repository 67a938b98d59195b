-- overview: the headline counts of the handoff funnel for the leads in the filters.
with

leads as (
    select * from lead_facts
),

lead_counts as (
    select
        count(*) as leads,
        count(*) filter (where is_mql) as mqls,
        count(*) filter (where is_handed_off) as handed_off,
        count(*) filter (where is_accepted) as accepted,
        count(*) filter (where is_rejected) as rejected,
        count(*) filter (where is_sql) as sqls,
        count(*) filter (where is_opportunity) as opportunities,
        count(*) filter (where is_won) as won_leads
    from leads
),

-- deals are counted by the lead they came from, so filters apply to them too
deal_counts as (
    select
        count(*) filter (where d.is_won) as won_deals,
        -- unknown (NULL), not 0, when no deal has an amount in the reporting currency
        case when getvariable('money_known') then
            coalesce(sum(d.amount) filter (where d.is_won), 0)
        end as won_revenue
    from deal_base d
    join leads l using (lead_id)
),

-- deals that link to no lead are in no lead-based figure; counted here so they are seen.
-- A deal's own created date stands in for its lead's cohort; source and owner filters
-- use the deal's own source and owner; a campaign or segment filter cannot place them.
unlinked as (
    select
        count(*) as deals_without_lead,
        count(*) filter (where is_won) as won_deals_without_lead
    from deal_base
    where lead_id is null
      and (getvariable('date_from') is null or created_at >= getvariable('date_from'))
      and (
          getvariable('date_to') is null
          or created_at < getvariable('date_to') + interval 1 day
      )
      and (array_length(getvariable('sources')) = 0 or list_contains(getvariable('sources'), source))
      and (array_length(getvariable('owners')) = 0 or list_contains(getvariable('owners'), owner))
),

unlinked_counts as (
    select
        case when placeable then deals_without_lead end as deals_without_lead,
        case when placeable then won_deals_without_lead end as won_deals_without_lead
    from unlinked, (
        select array_length(getvariable('campaigns')) = 0
            and array_length(getvariable('segment_values')) = 0 as placeable
    )
),

-- activities follow their lead; lead_facts already counts each lead's activities
activity_counts as (
    select
        coalesce(sum(n_activities), 0)::bigint as activities,
        count(*) filter (where n_activities = 0) as leads_with_no_activity
    from leads
),

final as (
    select
        *,
        -- per lead, not per deal: a customer who bought twice is one won lead
        won_leads / nullif(leads, 0) as lead_win_rate
    from lead_counts, deal_counts, activity_counts, unlinked_counts
)

select * from final
