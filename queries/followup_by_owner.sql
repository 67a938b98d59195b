-- followup_by_owner: per lead owner, plus a last row '(all)' for every handed-off lead,
-- the follow-up discipline summary: attempts per lead before resolution, leads left with
-- zero or one attempt, leads given up, SLA compliance, speed, connects and SQLs.
with

touched as (
    select
        coalesce(owner, '(no owner)') as owner,
        n_attempts,
        is_given_up,
        is_sla_met,
        minutes_to_first_touch,
        has_connect,
        is_sql
    from touch_facts
),

-- each lead once under its owner and once under '(all)'
grouped as (
    select owner, 0 as is_total, * exclude (owner) from touched
    union all
    select '(all)' as owner, 1 as is_total, * exclude (owner) from touched
),

per_owner as (
    select
        owner,
        is_total,
        count(*) as handed_off,
        avg(n_attempts) as mean_attempts,
        quantile_cont(n_attempts, 0.5e0) as median_attempts,
        count(*) filter (where n_attempts = 0) as zero_attempts,
        count(*) filter (where n_attempts = 1) as one_attempt,
        count(*) filter (where is_given_up) as given_up,
        avg(n_attempts) filter (where is_given_up) as attempts_on_given_up,
        count(*) filter (where is_sla_met) as sla_met,
        count(*) filter (where not is_sla_met) as sla_missed,
        quantile_cont(minutes_to_first_touch, 0.5e0) as median_minutes_to_first_touch,
        count(*) filter (where has_connect) as connected,
        count(*) filter (where is_sql) as sqls
    from grouped
    group by owner, is_total
),

-- the '(all)' row is there even when the filters leave no handed-off lead
all_row as (
    select '(all)' as owner, 1 as is_total
),

completed as (
    select
        a.owner,
        a.is_total,
        coalesce(p.handed_off, 0) as handed_off,
        p.mean_attempts,
        p.median_attempts,
        coalesce(p.zero_attempts, 0) as zero_attempts,
        coalesce(p.one_attempt, 0) as one_attempt,
        coalesce(p.given_up, 0) as given_up,
        p.attempts_on_given_up,
        coalesce(p.sla_met, 0) as sla_met,
        coalesce(p.sla_missed, 0) as sla_missed,
        p.median_minutes_to_first_touch,
        coalesce(p.connected, 0) as connected,
        coalesce(p.sqls, 0) as sqls
    from all_row a
    left join per_owner p using (owner, is_total)
    union all
    select * from per_owner where is_total = 0
),

final as (
    select
        owner,
        handed_off,
        mean_attempts,
        median_attempts,
        zero_attempts / nullif(handed_off, 0) as zero_attempt_rate,
        one_attempt / nullif(handed_off, 0) as one_attempt_rate,
        given_up,
        attempts_on_given_up,
        sla_met / nullif(sla_met + sla_missed, 0) as sla_compliance_rate,
        median_minutes_to_first_touch,
        connected / nullif(handed_off, 0) as connect_rate,
        sqls / nullif(handed_off, 0) as sql_rate,
        is_total,
        owner = '(no owner)' as is_no_owner
    from completed
),

-- a rep is below the team when their SLA compliance is more than rep_below_team_gap under
-- the '(all)' row's; the team row itself, and a rate that cannot be compared, is not
flagged as (
    select
        *,
        coalesce(
            is_total = 0
            and sla_compliance_rate < (max(sla_compliance_rate) filter (where is_total = 1) over ())
                - $rep_below_team_gap,
            false
        ) as is_below_team
    from final
)

select * exclude (is_total, is_no_owner)
from flagged
order by is_total, is_no_owner, owner
