-- revenue_total: the Revenue page's headline over every lead in the filters: won revenue,
-- deal win rate, revenue per lead and, when spend is usable, total spend and ROI.
--
-- The same definitions as revenue_by_source, computed once over all leads instead of per
-- source (a ratio of totals, not an average of the sources' ratios). Spend counts every
-- source's spend inside the filters, including sources with no leads, exactly as the sum
-- of revenue_by_source's spend column does.
with

lead_rows as (
    select
        count(*) as leads,
        count(*) filter (where is_mql) as mqls,
        count(*) filter (where is_sql) as sqls,
        count(*) filter (where is_won) as won_leads,
        case when getvariable('money_known') then coalesce(sum(won_revenue), 0)::double end
            as won_revenue
    from lead_facts
),

deal_rows as (
    select
        count(*) filter (where d.is_decided) as closed_deals,
        count(*) filter (where d.is_won) as won_deals
    from deal_base d
    join lead_facts l using (lead_id)
),

-- spend is known when the workspace holds any in the reporting currency, and usable
-- only when no owner or segment filter is active (spend cannot be split that way)
spend_state as (
    select
        count(*) > 0
        and array_length(getvariable('owners')) = 0
        and array_length(getvariable('segment_values')) = 0 as is_usable
    from spend
    where currency is null or currency = $currency
),

-- each spend row as a span of days [start_day, end_day)
spend_spans as (
    select
        coalesce(source, '(no source)') as source,
        amount,
        case
            when lower(period_grain) = 'month' then date_trunc('month', period)::date
            else period
        end as start_day,
        case
            when lower(period_grain) = 'month'
                then (date_trunc('month', period) + interval 1 month)::date
            else period + 1
        end as end_day
    from spend
    where amount is not null
      and period is not null
      and (currency is null or currency = $currency)
      and (array_length(getvariable('sources')) = 0 or list_contains(getvariable('sources'), source))
      and (
          array_length(getvariable('campaigns')) = 0
          or list_contains(getvariable('campaigns'), campaign)
      )
),

-- the days of each span inside the date filter (inclusive dates, as for leads)
spend_overlap as (
    select
        source,
        amount,
        start_day,
        end_day,
        date_diff(
            'day',
            greatest(start_day, coalesce(getvariable('date_from'), start_day)),
            least(end_day, coalesce(getvariable('date_to') + 1, end_day))
        ) as days_inside
    from spend_spans
),

spend_total as (
    select
        case
            when (select is_usable from spend_state) then coalesce(
                sum(amount * days_inside / date_diff('day', start_day, end_day))
                    filter (where days_inside > 0),
                0
            )::double
        end as spend
    from spend_overlap
),

final as (
    select
        l.leads,
        l.mqls,
        l.sqls,
        d.closed_deals,
        d.won_deals,
        l.won_leads,
        l.won_revenue,
        d.won_deals / nullif(d.closed_deals, 0) as win_rate,
        -- per lead, not per deal: the share of leads that became customers
        l.won_leads / nullif(l.leads, 0) as lead_win_rate,
        l.won_revenue / nullif(l.leads, 0) as revenue_per_lead,
        p.spend,
        (l.won_revenue - p.spend) / nullif(p.spend, 0) as roi
    from lead_rows l, deal_rows d, spend_total p
)

select * from final
