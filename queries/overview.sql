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

activity_counts as (
    select count(*) as activities
    from activities a
    join leads l using (lead_id)
),

untouched as (
    select count(*) as leads_with_no_activity
    from leads l
    where not exists (select 1 from activities a where a.lead_id = l.lead_id)
),

final as (
    select * from lead_counts, deal_counts, activity_counts, untouched
)

select * from final
