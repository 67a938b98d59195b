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
),

listed as (
    select
        * exclude (score_band, segment_value),
        -- strictly more than sla_hours without a decision, as in handoff.pending_past_sla
        coalesce(hours_waiting > $sla_hours, false) as is_pending_past_sla,
        score_band,
        segment_value
    from final
),

-- the leads behind one clicked number. Each only_ flag keeps the leads it names; a match
-- pair keeps the leads whose column (one of the names below; a rejection reason trimmed,
-- blank counting as none) holds the value, a NULL value standing for "none"; the ranges
-- are inclusive. Left at their defaults (false, NULL) they keep every lead.
picked as (
    select *
    from listed
    where (not $only_mql or is_mql)
      and (not $only_handed_off or is_handed_off)
      and (not $only_accepted or is_accepted)
      and (not $only_rejected or is_rejected)
      and (not $only_sql or is_sql)
      and (not $only_opportunity or is_opportunity)
      and (not $only_won or is_won)
      and (not $only_pending_past_sla or is_pending_past_sla)
      and (not $only_judged or sales_verdict in ('accepted', 'rejected'))
      and (
          not $only_disagreeing
          or (is_mql and sales_verdict = 'rejected')
          or (not is_mql and sales_verdict = 'accepted')
      )
      and (
          $match_1_column is null
          or (
              case $match_1_column
                  when 'source' then source
                  when 'campaign' then campaign
                  when 'owner' then owner
                  when 'score_band' then score_band
                  when 'segment_value' then cast(segment_value as varchar)
                  when 'marketing_verdict' then marketing_verdict
                  when 'sales_verdict' then sales_verdict
                  when 'speed_bucket' then speed_bucket
                  when 'rejection_reason' then nullif(trim(rejection_reason), '')
              end
          ) is not distinct from $match_1_value
      )
      and (
          $match_2_column is null
          or (
              case $match_2_column
                  when 'source' then source
                  when 'campaign' then campaign
                  when 'owner' then owner
                  when 'score_band' then score_band
                  when 'segment_value' then cast(segment_value as varchar)
                  when 'marketing_verdict' then marketing_verdict
                  when 'sales_verdict' then sales_verdict
                  when 'speed_bucket' then speed_bucket
                  when 'rejection_reason' then nullif(trim(rejection_reason), '')
              end
          ) is not distinct from $match_2_value
      )
      and ($score_from is null or lead_score >= cast($score_from as double))
      and ($score_to is null or lead_score <= cast($score_to as double))
      and ($attempts_from is null or n_attempts >= cast($attempts_from as integer))
      and ($attempts_to is null or n_attempts <= cast($attempts_to as integer))
)

-- one page of them in creation order (page_size NULL: every lead, as the downloads ask)
select *
from picked
order by created_at, lead_id
limit coalesce(cast($page_size as integer), 2147483647) offset cast($page_offset as integer)
