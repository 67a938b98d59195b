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
        count(*) filter (where is_opportunity) as opportunities
    from leads
),

-- deals are counted by the lead they came from, so filters apply to them too
deal_counts as (
    select
        count(*) filter (where d.is_won) as won_deals,
        coalesce(sum(d.amount) filter (
            where d.is_won and (d.currency is null or d.currency = $currency)
        ), 0) as won_revenue
    from deals d
    join leads l using (lead_id)
),

-- activities follow their lead; lead_facts already counts each lead's activities
activity_counts as (
    select
        coalesce(sum(n_activities), 0)::bigint as activities,
        count(*) filter (where n_activities = 0) as leads_with_no_activity
    from leads
),

final as (
    select * from lead_counts, deal_counts, activity_counts
)

select * from final
