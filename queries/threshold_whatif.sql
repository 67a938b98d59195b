-- threshold_whatif: for each MQL score threshold on a grid from 0 to 100 (and the current
-- threshold), the scored leads sales would get (score >= threshold), the SQLs and won
-- revenue among them, and the won revenue of the scored leads left below it.
with

leads as (
    select * from lead_facts
),

scored as (
    select
        lead_score::double as score,
        is_sql,
        is_won,
        won_revenue
    from leads
    where lead_score is not null
),

totals as (
    select
        count(*) filter (where is_sql) as all_sqls,
        -- money is unknown (NULL), not 0, when no deal has an amount in the currency
        case when getvariable('money_known') then coalesce(sum(won_revenue), 0) end as all_won_revenue
    from scored
),

-- the workload side: reps who received leads, and the weeks the filtered cohort spans
capacity as (
    select
        count(distinct owner) filter (where is_handed_off) as n_reps,
        greatest(1e0, (epoch(max(cohort_at)) - epoch(min(cohort_at))) / 86400e0 / 7e0) as n_weeks,
        count(*) filter (where lead_score is null) as unscored_leads
    from leads
),

step as (
    select
        case
            when $threshold_step > 0 then $threshold_step::double
            else error('threshold_step must be greater than 0')
        end as step
),

grid as (
    select round(i * step, 6) as threshold
    from (
        select step, unnest(generate_series(0, cast(floor(100 / step) as bigint))) as i
        from step
    ) as r
    union
    select $mql_score_threshold::double
),

-- one row per distinct score first, so each threshold compares a few hundred score values
-- rather than every lead (the same sums, in far less time at a million leads)
by_score as (
    select
        score,
        count(*) as n_leads,
        count(*) filter (where is_sql) as n_sqls,
        count(*) filter (where is_won) as n_won,
        case when getvariable('money_known') then coalesce(sum(won_revenue), 0) end as revenue
    from scored
    group by score
),

per_threshold as (
    select
        g.threshold,
        coalesce(sum(b.n_leads) filter (where b.score >= g.threshold), 0) as leads_sent,
        coalesce(sum(b.n_sqls) filter (where b.score >= g.threshold), 0) as sqls_kept,
        coalesce(sum(b.n_won) filter (where b.score >= g.threshold), 0) as won_kept,
        case when getvariable('money_known') then coalesce(sum(b.revenue) filter (where b.score >= g.threshold), 0)
        end as won_revenue_kept,
        case when getvariable('money_known') then coalesce(sum(b.revenue) filter (where b.score < g.threshold), 0)
        end as won_revenue_missed
    from grid g
    left join by_score b on true
    group by g.threshold
),

final as (
    select
        p.threshold,
        p.threshold = $mql_score_threshold::double as is_current,
        p.leads_sent::bigint as leads_sent,
        p.sqls_kept::bigint as sqls_kept,
        p.sqls_kept / nullif(t.all_sqls, 0) as sql_share_kept,
        p.won_kept::bigint as won_kept,
        p.won_revenue_kept::double as won_revenue_kept,
        p.won_revenue_missed::double as won_revenue_missed,
        p.won_revenue_kept / nullif(t.all_won_revenue, 0) as revenue_share_kept,
        p.sqls_kept / nullif(p.leads_sent, 0) as sqls_per_lead_sent,
        p.leads_sent / nullif(c.n_reps, 0) / c.n_weeks as leads_per_rep_week,
        c.unscored_leads
    from per_threshold p
    cross join totals t
    cross join capacity c
)

select * from final
order by threshold
