-- callout_sources: per lead source, every figure the review meeting's two source callouts
-- state: "a source sales keeps rejecting" and "a source the score over-rates", with the
-- revenue at stake. The callouts only choose rows (against the callout_* settings) and
-- word them; every share, "rest of the sources" rate and excess is computed here.
--
-- Counts use the shared lead definitions (lead_facts), the same as handoff and
-- revenue_by_source: mqls = is_mql, handed_off = is_handed_off, rejected = handed off and
-- rejected, sqls = is_sql. "The rest" is every other lead in the filters, leads with no
-- source included. Leads without a source get no row (there is no source to call out).
with

per_source as (
    select
        source,
        count(*) as leads,
        count(*) filter (where is_mql) as mqls,
        count(*) filter (where is_sql) as sqls,
        count(*) filter (where is_handed_off) as handed_off,
        count(*) filter (where is_handed_off and is_rejected) as rejected
    from lead_facts
    group by source
),

totals as (
    select
        coalesce(sum(leads), 0) as all_leads,
        coalesce(sum(mqls), 0) as all_mqls,
        coalesce(sum(sqls), 0) as all_sqls,
        coalesce(sum(handed_off), 0) as all_handed_off,
        coalesce(sum(rejected), 0) as all_rejected
    from per_source
),

-- the yardstick impacts are priced with: won revenue per handed-off lead, both as
-- overview counts them
value as (
    select
        (
            select coalesce(sum(d.amount) filter (where d.is_won), 0)::double
            from deal_base d
            join lead_facts l using (lead_id)
        ) / nullif(
            (select count(*) filter (where is_handed_off) from lead_facts), 0
        ) as revenue_per_handed_off
),

rates as (
    select
        p.source,
        p.leads,
        p.mqls,
        p.sqls,
        p.handed_off,
        p.rejected,
        p.mqls / nullif(t.all_mqls, 0) as mql_share,
        p.rejected / nullif(t.all_rejected, 0) as rejection_share,
        p.rejected / nullif(p.handed_off, 0) as rejection_rate,
        (t.all_rejected - p.rejected) / nullif(t.all_handed_off - p.handed_off, 0)
            as rest_rejection_rate,
        p.mqls / nullif(p.leads, 0) as mql_rate,
        (t.all_mqls - p.mqls) / nullif(t.all_leads - p.leads, 0) as rest_mql_rate,
        p.sqls / nullif(p.mqls, 0) as sql_per_mql,
        (t.all_sqls - p.sqls) / nullif(t.all_mqls - p.mqls, 0) as rest_sql_per_mql,
        coalesce(v.revenue_per_handed_off, 0) as revenue_per_handed_off
    from per_source p, totals t, value v
    where p.source is not null
),

final as (
    select
        source,
        leads,
        mqls,
        sqls,
        handed_off,
        rejected,
        mql_share,
        rejection_share,
        rejection_share - mql_share as share_gap,
        rejection_rate,
        rest_rejection_rate,
        -- rejections beyond what the other sources' rejection rate would give
        greatest(0, rejected - handed_off * coalesce(rest_rejection_rate, 0))::double
            as excess_rejections,
        mql_rate,
        rest_mql_rate,
        sql_per_mql,
        rest_sql_per_mql,
        sql_per_mql / nullif(rest_sql_per_mql, 0) as sql_per_mql_ratio,
        -- MQLs its SQLs do not justify at the other sources' SQL rate
        case
            when rest_sql_per_mql > 0 then greatest(0, mqls - sqls / rest_sql_per_mql)::double
        end as excess_mqls,
        revenue_per_handed_off,
        greatest(0, rejected - handed_off * coalesce(rest_rejection_rate, 0))
            * revenue_per_handed_off as rejections_impact,
        case
            when rest_sql_per_mql > 0
                then greatest(0, mqls - sqls / rest_sql_per_mql) * revenue_per_handed_off
        end as overrated_impact
    from rates
)

select * from final
order by source
