-- score_calibration: SQL and win rate by score decile, and the AUC of the score for SQL
-- and for won. Deciles are by rank over the scored leads in the filters, lowest scores
-- first, cut as ntile(10) would cut them (the first n % 10 deciles one lead larger), except
-- that equal scores are never split: a group of tied scores goes whole into the decile of
-- its first member, so some deciles can hold more leads and later ones fewer or none.
-- Leads without a score are left out.
with

scored as (
    select
        lead_id,
        lead_score::double as score,
        is_sql,
        is_won,
        won_revenue
    from lead_facts
    where lead_score is not null
),

unscored as (
    select
        count(*) filter (where lead_score is null) as unscored_leads,
        count(lead_score) as scored_leads
    from lead_facts
),

-- p: the 0-based position of the first lead with this score (rank() gives ties the same
-- rank); q, r: ntile's bucket size and how many buckets get one more
positioned as (
    select
        *,
        (rank() over (order by score)) - 1 as p,
        (count(*) over ()) // 10 as q,
        (count(*) over ()) % 10 as r
    from scored
),

ranked as (
    select
        *,
        case
            when p < r * (q + 1) then p // (q + 1) + 1
            else r + (p - r * (q + 1)) // q + 1
        end as decile
    from positioned
),

deciles as (
    select unnest(generate_series(1, 10)) as decile
),

per_decile as (
    select
        decile,
        min(score) as min_score,
        max(score) as max_score,
        count(*) as leads,
        count(*) filter (where is_sql) as sqls,
        count(*) filter (where is_won) as won,
        sum(won_revenue)::double as won_revenue
    from ranked
    group by decile
),

-- AUC by the rank-sum (Mann-Whitney) formula, with tied scores given their average rank:
-- AUC = (sum of positives' ranks - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
score_groups as (
    select
        score,
        count(*) as n,
        count(*) filter (where is_sql) as n_sql,
        count(*) filter (where is_won) as n_won
    from scored
    group by score
),

score_ranks as (
    select
        *,
        coalesce(sum(n) over (
            order by score rows between unbounded preceding and 1 preceding
        ), 0) + (n + 1) / 2e0 as avg_rank
    from score_groups
),

auc as (
    select
        (sum(n_sql * avg_rank) - sum(n_sql) * (sum(n_sql) + 1) / 2e0)
            / nullif(sum(n_sql)::double * (sum(n) - sum(n_sql)), 0) as auc_sql,
        (sum(n_won * avg_rank) - sum(n_won) * (sum(n_won) + 1) / 2e0)
            / nullif(sum(n_won)::double * (sum(n) - sum(n_won)), 0) as auc_won
    from score_ranks
),

final as (
    select
        d.decile,
        p.min_score,
        p.max_score,
        coalesce(p.leads, 0) as leads,
        coalesce(p.sqls, 0) as sqls,
        p.sqls / nullif(p.leads, 0) as sql_rate,
        coalesce(p.won, 0) as won,
        p.won / nullif(p.leads, 0) as win_rate,
        -- unknown (NULL), not 0, when no deal has an amount in the reporting currency
        case when getvariable('money_known') then coalesce(p.won_revenue, 0) end as won_revenue,
        a.auc_sql,
        a.auc_won,
        u.unscored_leads,
        u.scored_leads
    from deciles d
    left join per_decile p using (decile)
    cross join auc a
    cross join unscored u
)

select * from final
order by decile
