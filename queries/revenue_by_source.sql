-- revenue_by_source: leads, funnel counts, won revenue, open pipeline and (when the
-- workspace has spend) cost and return per lead source, for the leads in the filters.
--
-- Deals are reached through the leads in lead_facts, so every filter applies to them;
-- deals with no lead belong to no source. Spend is filtered the same way as the leads
-- (dates, sources, campaigns); monthly spend is pro-rated by the days of the month
-- that fall inside the date filter. Owner and segment filters cannot split spend, so
-- every spend column is NULL while one is active, as it is when the workspace holds
-- no spend in the reporting currency. In the same way, won revenue, open pipeline and
-- everything computed from them are NULL when no deal has an amount in the currency.
-- A won deal is a closed deal, whatever its closed flag says.
with

leads as (
    select *, coalesce(source, '(no source)') as source_key
    from lead_facts
),

lead_rows as (
    select
        source_key as source,
        count(*) as leads,
        count(*) filter (where is_mql) as mqls,
        count(*) filter (where is_sql) as sqls,
        count(*) filter (where is_won) as won_leads,
        sum(won_revenue) as won_revenue,
        sum(open_pipeline) as open_pipeline
    from leads
    group by source_key
),

-- deals counted by the lead they came from (a lead can have several); deal_base's amount
-- is in the reporting currency, NULL otherwise
deal_rows as (
    select
        l.source_key as source,
        count(*) filter (where d.is_decided) as closed_deals,
        count(*) filter (where d.is_won) as won_deals,
        -- the won deals whose amount is counted in won_revenue: avg_deal_size's denominator
        count(d.amount) filter (where d.is_won) as won_deals_in_currency
    from deal_base d
    join leads l using (lead_id)
    group by l.source_key
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

spend_rows as (
    select
        source,
        sum(amount * days_inside / date_diff('day', start_day, end_day)) as spend
    from spend_overlap
    where days_inside > 0
      and (select is_usable from spend_state)
    group by source
),

sources as (
    select source from lead_rows
    union
    select source from spend_rows
),

joined as (
    select
        s.source,
        coalesce(l.leads, 0) as leads,
        coalesce(l.mqls, 0) as mqls,
        coalesce(l.sqls, 0) as sqls,
        coalesce(d.closed_deals, 0) as closed_deals,
        coalesce(d.won_deals, 0) as won_deals,
        coalesce(d.won_deals_in_currency, 0) as won_deals_in_currency,
        coalesce(l.won_leads, 0) as won_leads,
        -- unknown (NULL), not 0, when no deal has an amount in the reporting currency;
        -- every figure derived from them (deal size, per lead, ROI) is then NULL too
        case when getvariable('money_known') then coalesce(l.won_revenue, 0)::double end
            as won_revenue,
        case when getvariable('money_known') then coalesce(l.open_pipeline, 0)::double end
            as open_pipeline,
        case
            when (select is_usable from spend_state) then coalesce(p.spend, 0)::double
        end as spend
    from sources s
    left join lead_rows l using (source)
    left join deal_rows d using (source)
    left join spend_rows p using (source)
),

final as (
    select
        source,
        leads,
        mqls,
        sqls,
        closed_deals,
        won_deals,
        won_leads,
        won_revenue,
        won_deals / nullif(closed_deals, 0) as win_rate,
        -- per lead, not per deal: the share of leads that became customers
        won_leads / nullif(leads, 0) as lead_win_rate,
        won_revenue / nullif(won_deals_in_currency, 0) as avg_deal_size,
        won_revenue / nullif(leads, 0) as revenue_per_lead,
        won_revenue / nullif(mqls, 0) as revenue_per_mql,
        open_pipeline,
        spend,
        spend / nullif(leads, 0) as cost_per_lead,
        spend / nullif(mqls, 0) as cost_per_mql,
        spend / nullif(sqls, 0) as cost_per_sql,
        spend / nullif(won_leads, 0) as cac,
        (won_revenue - spend) / nullif(spend, 0) as roi
    from joined
)

select * from final
order by won_revenue desc, leads desc, source
