-- callout_reps: per lead owner, every figure the review meeting's two rep callouts state:
-- "a rep who gives up after one attempt" and "a rep slow to the first touch", with the
-- SQLs the rep's leads would have made at the rest of the team's rate and their revenue.
-- The callouts only choose rows (against the callout_* settings) and word them.
--
-- The lead-level figures are those of followup_by_owner and speed_to_lead_by_owner (the
-- handed-off leads in touch_facts). "The rest of the team" is every other rep's
-- handed-off leads; leads with no owner are in the team's one-attempt rate (as the
-- '(all)' row of followup_by_owner) but in no one's "rest" SQL rate.
with

touched as (
    select owner, n_attempts, is_sla_met, minutes_to_first_touch, is_sql
    from touch_facts
),

per_owner as (
    select
        owner,
        count(*) as handed_off,
        count(*) filter (where n_attempts = 1) as one_attempt,
        quantile_cont(n_attempts, 0.5e0) as median_attempts,
        quantile_cont(minutes_to_first_touch, 0.5e0) as median_minutes_to_first_touch,
        count(*) filter (where is_sla_met) as sla_met,
        count(*) filter (where not is_sla_met) as sla_missed,
        count(*) filter (where is_sql) as sqls
    from touched
    where owner is not null
    group by owner
),

team as (
    select
        (select count(*) filter (where n_attempts = 1) / nullif(count(*), 0) from touched)
            as team_one_attempt_rate,
        coalesce(sum(handed_off), 0) as reps_handed_off,
        coalesce(sum(sqls), 0) as reps_sqls
    from per_owner
),

-- the yardstick: won revenue per SQL, both as overview counts them
value as (
    select
        (
            select coalesce(sum(d.amount) filter (where d.is_won), 0)::double
            from deal_base d
            join lead_facts l using (lead_id)
        ) / nullif((select count(*) filter (where is_sql) from lead_facts), 0)
            as revenue_per_sql
),

rates as (
    select
        p.owner,
        p.handed_off,
        p.one_attempt / nullif(p.handed_off, 0) as one_attempt_rate,
        t.team_one_attempt_rate,
        p.median_attempts,
        p.median_minutes_to_first_touch,
        p.sla_met / nullif(p.sla_met + p.sla_missed, 0) as sla_compliance_rate,
        p.sqls / nullif(p.handed_off, 0) as sql_rate,
        (t.reps_sqls - p.sqls) / nullif(t.reps_handed_off - p.handed_off, 0) as rest_sql_rate,
        coalesce(v.revenue_per_sql, 0) as revenue_per_sql
    from per_owner p, team t, value v
),

final as (
    select
        owner,
        handed_off,
        one_attempt_rate,
        team_one_attempt_rate,
        median_attempts,
        median_minutes_to_first_touch,
        sla_compliance_rate,
        sql_rate,
        coalesce(rest_sql_rate, 0) as rest_sql_rate,
        -- SQLs the rep's leads would have made at the rest of the team's rate
        greatest(0, handed_off * (coalesce(rest_sql_rate, 0) - sql_rate))::double as lost_sqls,
        revenue_per_sql,
        greatest(0, handed_off * (coalesce(rest_sql_rate, 0) - sql_rate))
            * revenue_per_sql as impact
    from rates
)

select * from final
order by owner
