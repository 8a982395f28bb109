"""The only way help-desk state changes: views, API, tasks and commands all call these.

Each function validates first (a ServiceError means nothing changed), writes inside a
transaction, records Events and schedules side effects on commit.
"""

from frontline.tickets.services.attachments import inline_url, store_attachment
from frontline.tickets.services.config import (
    create_custom_field,
    create_macro,
    create_tag,
    create_team,
    create_view,
    delete_custom_field,
    delete_macro,
    delete_tag,
    delete_team,
    delete_view,
    set_team_lead,
    set_team_members,
    update_custom_field,
    update_macro,
    update_team,
    update_view,
)
from frontline.tickets.services.customers import (
    create_company,
    create_customer,
    customer_for_email,
    find_customers,
    merge_customers,
    update_company,
    update_customer,
)
from frontline.tickets.services.tickets import (
    add_customer_message,
    add_note,
    apply_macro,
    assign_round_robin,
    bulk_update,
    create_ticket,
    merge_tickets,
    render_macro_body,
    reply,
    update_ticket,
)

__all__ = [
    "add_customer_message",
    "add_note",
    "apply_macro",
    "assign_round_robin",
    "bulk_update",
    "create_company",
    "create_custom_field",
    "create_customer",
    "create_macro",
    "create_tag",
    "create_team",
    "create_ticket",
    "create_view",
    "customer_for_email",
    "delete_custom_field",
    "delete_macro",
    "delete_tag",
    "delete_team",
    "delete_view",
    "find_customers",
    "merge_customers",
    "merge_tickets",
    "render_macro_body",
    "reply",
    "set_team_lead",
    "set_team_members",
    "store_attachment",
    "inline_url",
    "update_company",
    "update_custom_field",
    "update_customer",
    "update_macro",
    "update_team",
    "update_ticket",
    "update_view",
]
