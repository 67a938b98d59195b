-- attempt_conversion: for attempt number n = 1..10, the handed-off leads that got at least
-- n attempts before resolution, how many were first reached (connected) on attempt n, and
-- how many became SQL. Shows how much each further attempt still adds.
with

touched as (
    select n_attempts, first_connect_attempt, is_sql
    from touch_facts
),

numbers as (
    select unnest(generate_series(1, 10)) as attempt_number
),

per_number as (
    select
        n.attempt_number,
        count(t.n_attempts) as leads_reaching,
        count(*) filter (where t.first_connect_attempt = n.attempt_number) as first_connects,
        count(*) filter (where t.is_sql) as sqls_after
    from numbers n
    -- attempts are numbered in time order, so a lead's attempts before its resolution are
    -- its first n_attempts; a first connect numbered beyond them came after the resolution
    -- and is never counted, because such a lead does not reach that number
    left join touched t on t.n_attempts >= n.attempt_number
    group by n.attempt_number
),

final as (
    select
        attempt_number,
        leads_reaching,
        first_connects,
        first_connects / nullif(leads_reaching, 0) as connect_rate,
        sqls_after,
        sqls_after / nullif(leads_reaching, 0) as sql_rate
    from per_number
)

select * from final
order by attempt_number
