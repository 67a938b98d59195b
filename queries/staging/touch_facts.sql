-- touch_facts: one row per handed-off lead in lead_facts (so the filters apply): the lead's
-- facts with its follow-up from touch_base.
create or replace temp view touch_facts as
select f.*, t.* exclude (lead_id)
from lead_facts f
join touch_base t using (lead_id)
