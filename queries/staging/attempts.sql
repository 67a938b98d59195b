-- attempts: the sales activities that count as attempts (types in the attempt_types
-- setting; outbound only when attempt_outbound_only), on every lead, numbered per lead in
-- time order from the handoff on. (Per lead, so filtering leads afterwards is the same as
-- filtering first.)
--
-- Session variables: attempt_types, attempt_outbound_only, connect_outcomes.
create or replace temp view attempts as
with

counted as (
    select
        a.lead_id,
        a.activity_id,
        a.occurred_at,
        lower(a.type) as type,
        a.owner,
        list_contains(getvariable('connect_outcomes'), lower(a.outcome)) as is_connect,
        f.handed_off_at_eff,
        f.resolved_at
    from activities a
    join lead_base f using (lead_id)
    where list_contains(getvariable('attempt_types'), lower(a.type))
      and (
          not getvariable('attempt_outbound_only')
          or a.direction is null
          or lower(a.direction) = 'outbound'
      )
),

final as (
    select
        *,
        occurred_at >= handed_off_at_eff as is_after_handoff,
        resolved_at is null or occurred_at <= resolved_at as is_before_resolution,
        row_number() over (
            partition by lead_id, occurred_at >= handed_off_at_eff
            order by occurred_at, activity_id
        ) as attempt_number
    from counted
)

select * from final
