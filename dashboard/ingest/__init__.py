"""Reading CRM exports, recognising what they are, and turning them into canonical tables."""
