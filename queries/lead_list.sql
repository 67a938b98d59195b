-- lead_list: the leads behind any number: one row per lead in the filters with its stages,
-- verdicts, follow-up and outcome, so a page can list exactly the leads a bar or cell counts.
with

facts as (
    select * from lead_facts
),

touch as (
    select
        lead_id,
        first_touch_at,
        minutes_to_first_touch,
        speed_bucket,
        n_attempts,
        has_connect,
        is_sla_met,
        is_given_up
    -- the follow-up of every handed-off lead; the join below keeps the filtered ones
    from touch_base
),

final as (
    select
        f.lead_id,
        f.created_at,
        f.source,
        f.campaign,
        f.owner,
        f.lead_score,
        f.cohort_month,
        f.mql_at_eff as mql_at,
        f.handed_off_at_eff as handed_off_at,
        f.accepted_at,
        f.rejected_at,
        f.rejection_reason,
        f.sql_at,
        f.is_mql,
        f.is_handed_off,
        f.is_accepted,
        f.is_rejected,
        f.is_sql,
        f.is_opportunity,
        f.is_won,
        case when f.is_mql then 'MQL' else 'not MQL' end as marketing_verdict,
        f.sales_verdict,
        f.outcome,
        f.won_revenue,
        f.open_pipeline,
        t.first_touch_at,
        t.minutes_to_first_touch,
        t.speed_bucket,
        t.n_attempts,
        t.has_connect,
        t.is_sla_met,
        t.is_given_up,
        -- handed off and waiting for sales' decision (as in the handoff metric)
        f.is_handed_off and not f.is_accepted and not f.is_rejected and not f.is_sql
            as is_pending,
        case
            when f.is_handed_off and not f.is_accepted and not f.is_rejected and not f.is_sql
                then date_diff('second', f.handed_off_at_eff, $as_of) / 3600e0
        end as hours_waiting,
        f.score_band,
        f.segment_value
    from facts f
    left join touch t using (lead_id)
)

select
    * exclude (score_band, segment_value),
    -- strictly more than sla_hours without a decision, as in handoff.pending_past_sla
    coalesce(hours_waiting > $sla_hours, false) as is_pending_past_sla,
    score_band,
    segment_value
from final
order by created_at, lead_id
