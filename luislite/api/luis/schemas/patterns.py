"""Pattern rules."""
from marshmallow import fields, post_load

from luislite.api.luis.schemas.common import LuisSchema
from luislite.domain.appversion import Pattern


class PatternRule(LuisSchema):
    """PatternRuleCreateObject, or PatternRuleUpdateObject when it carries an id."""
    id = fields.String(load_default=None, allow_none=True)
    pattern = fields.String(required=True)
    intent = fields.String(required=True)

    @post_load
    def make(self, data, **kwargs) -> Pattern:
        return Pattern(data["pattern"], data["intent"], data["id"] or "")


class PatternRuleInfo(LuisSchema):
    id = fields.UUID(required=True)
    pattern = fields.String(required=True)
    intent = fields.String(required=True)
