-- deal_base: every deal (no filters: a metric joins the leads it looks at, so a deal
-- follows its lead's cohort and filters), with the definitions every metric shares:
--
-- - `amount` is the deal's amount in the reporting currency, NULL when the deal is in
--   another currency (there are no exchange rates) or has no amount. A NULL currency is
--   only found in workspaces loaded before amounts were stamped, and counts as the
--   reporting currency.
-- - `is_won` is false when the CRM leaves it empty; `won_at` is when a won deal was won:
--   its close date, or its created date when the CRM gives no close date (NULL when the
--   deal is not won).
-- - Won implies closed: `is_decided` (closed, won or lost) holds for a deal flagged won
--   whatever its closed flag says, so a won deal is never open pipeline.
--
-- Session variables: currency.
create or replace temp view deal_base as
select
    -- the deals columns in their stored order, amount and is_won as defined above
    deal_id,
    created_at,
    lead_id,
    deal_name,
    closed_at,
    stage,
    coalesce(is_won, false) as is_won,
    is_closed,
    case
        when currency is null or currency = getvariable('currency') then amount
    end as amount,
    currency,
    owner,
    source,
    contact_id,
    coalesce(is_closed, false) or coalesce(is_won, false) as is_decided,
    case when is_won then coalesce(closed_at, created_at) end as won_at
from deals
