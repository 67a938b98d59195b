-- acceptance_replay: replay sales's own decisions with a score bar. Of the scored leads
-- sales accepted, those scoring below the bar would have been turned away (with the SQLs,
-- the won leads and the won revenue they brought); of the scored leads sales rejected,
-- those at or above the bar would have passed.
--
-- Written in plain SQL that other engines run as well: aggregates with FILTER, no
-- engine-specific functions beyond the session variables every metric reads.
with

judged as (
    select
        lead_score as score,
        sales_verdict,
        is_sql,
        is_won,
        won_revenue
    from lead_facts
    where sales_verdict = 'accepted' or sales_verdict = 'rejected'
),

bar as (
    select cast($min_score as double) as min_score
),

counted as (
    select
        b.min_score,
        count(j.score) filter (where j.sales_verdict = 'accepted') as accepted,
        count(j.score) filter (
            where j.sales_verdict = 'accepted' and j.score >= b.min_score
        ) as accepted_kept,
        count(j.score) filter (
            where j.sales_verdict = 'accepted' and j.score < b.min_score
        ) as turned_away,
        count(j.score) filter (
            where j.sales_verdict = 'accepted' and j.score < b.min_score and j.is_sql
        ) as turned_away_sqls,
        count(j.score) filter (
            where j.sales_verdict = 'accepted' and j.score < b.min_score and j.is_won
        ) as turned_away_won,
        sum(j.won_revenue) filter (
            where j.sales_verdict = 'accepted' and j.score < b.min_score and j.is_won
        ) as turned_away_revenue_sum,
        count(j.score) filter (where j.sales_verdict = 'rejected') as rejected,
        count(j.score) filter (
            where j.sales_verdict = 'rejected' and j.score >= b.min_score
        ) as rejected_passing,
        count(*) filter (where j.sales_verdict is not null and j.score is null)
            as unscored_judged
    from bar b
    left join judged j on 1 = 1
    group by b.min_score
),

final as (
    select
        min_score,
        cast(accepted as bigint) as accepted,
        cast(accepted_kept as bigint) as accepted_kept,
        cast(turned_away as bigint) as turned_away,
        turned_away / nullif(cast(accepted as double), 0e0) as turned_away_share,
        cast(turned_away_sqls as bigint) as turned_away_sqls,
        cast(turned_away_won as bigint) as turned_away_won,
        -- money is unknown (NULL), not 0, when no deal has an amount in the currency
        case
            when getvariable('money_known') then coalesce(turned_away_revenue_sum, 0e0)
        end as turned_away_won_revenue,
        cast(rejected as bigint) as rejected,
        cast(rejected_passing as bigint) as rejected_passing,
        rejected_passing / nullif(cast(rejected as double), 0e0) as rejected_passing_share,
        cast(unscored_judged as bigint) as unscored_judged
    from counted
)

select * from final
