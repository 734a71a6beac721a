"""CLU's request bodies, checked as the service does (unknown fields ignored), and its error envelope.

Answers are built by the views from `services/clu.py` in the shapes of the 2023-04-01 reference.
"""
from marshmallow import EXCLUDE, Schema, fields, validate

TEXT = fields.String(required=True, validate=validate.Length(min=1))
INDEX_TYPE = fields.String(required=True, metadata={"description": "Utf16CodeUnit (also UnicodeCodePoint, "
                                                                   "TextElements_v8)"})


class CluSchema(Schema):
    class Meta:
        unknown = EXCLUDE


class InnerError(CluSchema):
    code = fields.String(required=True)
    message = fields.String(required=True)


class Error(CluSchema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    innererror = fields.Nested(InnerError)


class ErrorResponse(CluSchema):
    error = fields.Nested(Error, required=True)


class ApiVersion(CluSchema):
    """The query every CLU request carries."""
    api_version = fields.String(required=True, data_key="api-version",
                                validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}(-preview)?$"),
                                metadata={"example": "2023-04-01"})


class ImportQuery(ApiVersion):
    format = fields.String(validate=validate.OneOf(["Conversation", "Luis", "conversation", "luis"]))


class ExportQuery(ApiVersion):
    stringIndexType = INDEX_TYPE
    format = fields.String()
    trainedModelLabel = fields.String()


class EvaluationQuery(ApiVersion):
    stringIndexType = INDEX_TYPE


class Page(CluSchema):
    """A list: everything in one page."""
    value = fields.List(fields.Dict(), required=True)
    nextLink = fields.String(allow_none=True)


# --- runtime ------------------------------------------------------------------------------------

class ConversationItem(CluSchema):
    id = TEXT
    participantId = TEXT
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    language = fields.String()
    modality = fields.String()
    role = fields.String()


class AnalysisInput(CluSchema):
    conversationItem = fields.Nested(ConversationItem, required=True)


class TaskParameters(CluSchema):
    projectName = TEXT
    deploymentName = TEXT
    stringIndexType = fields.String()
    verbose = fields.Boolean()
    isLoggingEnabled = fields.Boolean()
    directTarget = fields.String()
    targetProjectParameters = fields.Dict()


class ConversationalTask(CluSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["Conversation"]))
    analysisInput = fields.Nested(AnalysisInput, required=True)
    parameters = fields.Nested(TaskParameters, required=True)


# --- authoring ----------------------------------------------------------------------------------

class ProjectPatch(CluSchema):
    projectKind = fields.String(validate=validate.OneOf(["Conversation"]))
    projectName = fields.String()
    language = fields.String(validate=validate.Length(min=2, max=20))
    settings = fields.Dict(allow_none=True)
    multilingual = fields.Boolean(allow_none=True)
    description = fields.String(allow_none=True)
    storageInputContainerName = fields.String(allow_none=True)


class EvaluationOptions(CluSchema):
    kind = fields.String(load_default="percentage", validate=validate.OneOf(["percentage", "manual"]))
    trainingSplitPercentage = fields.Integer(load_default=80, validate=validate.Range(0, 100))
    testingSplitPercentage = fields.Integer(load_default=20, validate=validate.Range(0, 100))


class TrainingJobOptions(CluSchema):
    modelLabel = fields.String(required=True, validate=validate.Length(min=1, max=50))
    trainingMode = fields.String(required=True, validate=validate.OneOf(["standard", "advanced"]))
    trainingConfigVersion = fields.String(load_default="latest")
    evaluationOptions = fields.Nested(EvaluationOptions, load_default=lambda: EvaluationOptions().load({}))


class DeploymentOptions(CluSchema):
    trainedModelLabel = TEXT


class SwapDeploymentsOptions(CluSchema):
    firstDeploymentName = TEXT
    secondDeploymentName = TEXT
