-- unlinked_deals: the deals that link to no lead, which every lead-based metric leaves
-- out, per deal owner: deals, closed and won deals, win rate, won revenue, deal size and
-- open pipeline. A pipeline export with no lead file (or no lead id) is all here.
--
-- With no lead to follow, a deal's own created date stands in for the cohort, and the
-- source and owner filters use the deal's own source and owner; a campaign or segment
-- filter cannot place these deals, so the answer is empty while one is active. A won
-- deal is closed whatever its closed flag says. Money is NULL (unknown) when no deal has
-- an amount in the reporting currency.
with

-- deal_base: is_decided (closed or won), amount in the reporting currency (NULL otherwise)
deals_in as (
    select *
    from deal_base
    where lead_id is null
      and (getvariable('date_from') is null or created_at >= getvariable('date_from'))
      and (
          getvariable('date_to') is null
          or created_at < getvariable('date_to') + interval 1 day
      )
      and (array_length(getvariable('sources')) = 0 or list_contains(getvariable('sources'), source))
      and (array_length(getvariable('owners')) = 0 or list_contains(getvariable('owners'), owner))
      and array_length(getvariable('campaigns')) = 0
      and array_length(getvariable('segment_values')) = 0
),

per_owner as (
    select
        coalesce(owner, '(no owner)') as owner,
        count(*) as deals,
        count(*) filter (where is_decided) as closed_deals,
        count(*) filter (where is_won) as won_deals,
        count(amount) filter (where is_won) as won_deals_in_currency,
        coalesce(sum(amount) filter (where is_won), 0) as won_amount,
        coalesce(sum(amount) filter (where not is_decided), 0) as open_amount
    from deals_in
    group by 1
),

final as (
    select
        owner,
        deals,
        closed_deals,
        won_deals,
        won_deals / nullif(closed_deals, 0) as win_rate,
        case when getvariable('money_known') then won_amount::double end as won_revenue,
        case when getvariable('money_known') then won_amount / nullif(won_deals_in_currency, 0)
        end as avg_deal_size,
        case when getvariable('money_known') then open_amount::double end as open_pipeline
    from per_owner
)

select * from final
order by won_revenue desc nulls last, deals desc, owner
