-- touch_counts: one row per handed-off lead (no filters) with what its follow-up activities
-- add up to: first touch after the handoff, attempts before resolution, connects and the
-- last attempt. It depends on settings only, and on no duration setting (sla_hours,
-- give_up_days: touch_base applies those), so the workspace keeps a copy that an override
-- of a duration setting still reads.
--
-- With inbound_counts_as_contact, an inbound activity (a type in attempt_types whose
-- direction is not outbound) with a connect outcome, at or after the handoff, is contact:
-- the lead phoned or wrote in and reached sales. It can be the first touch and makes the
-- lead connected (so never given up), but it is not an attempt (attempts stay what the
-- attempts view counts).
--
-- Session variables: inbound_counts_as_contact, attempt_types, connect_outcomes (and,
-- through lead_base and attempts, the settings those read; never currency: only the
-- lead's dates and flags are read from lead_base).
create or replace temp view touch_counts as
with

handed as (
    select
        lead_id, handed_off_at_eff, is_sql, is_rejected, is_opportunity
    from lead_base
    where is_handed_off
),

per_lead as (
    select
        lead_id,
        min(occurred_at) as first_touch_at,
        max(occurred_at) as last_attempt_at,
        count(*) filter (where is_before_resolution) as n_attempts,
        count(*) as n_attempts_total,
        bool_or(is_connect) as has_connect,
        min(attempt_number) filter (where is_connect) as first_connect_attempt
    from attempts
    where is_after_handoff
    group by lead_id
),

inbound_contact as (
    select
        a.lead_id,
        min(a.occurred_at) as first_inbound_contact_at
    from activities a
    join handed h using (lead_id)
    where getvariable('inbound_counts_as_contact')
      and a.direction is not null
      and lower(a.direction) <> 'outbound'
      and list_contains(getvariable('attempt_types'), lower(a.type))
      and list_contains(getvariable('connect_outcomes'), lower(a.outcome))
      and a.occurred_at >= h.handed_off_at_eff
    group by a.lead_id
),

joined as (
    select
        h.lead_id,
        h.handed_off_at_eff,
        h.is_sql,
        h.is_rejected,
        h.is_opportunity,
        -- least() skips NULLs: the earlier of the first attempt and the first inbound contact
        least(p.first_touch_at, i.first_inbound_contact_at) as first_touch_at,
        p.last_attempt_at,
        coalesce(p.n_attempts, 0) as n_attempts,
        coalesce(p.n_attempts_total, 0) as n_attempts_total,
        coalesce(p.has_connect, false) or i.lead_id is not null as has_connect,
        p.first_connect_attempt,
        date_diff(
            'second', h.handed_off_at_eff, least(p.first_touch_at, i.first_inbound_contact_at)
        ) / 60e0 as minutes_to_first_touch
    from handed h
    left join per_lead p using (lead_id)
    left join inbound_contact i using (lead_id)
)

select * from joined
