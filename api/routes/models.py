from fastapi import APIRouter

from api.deps import ContextDep, CurrentKey
from core.errors import not_found
from api.schemas import ModelList, ModelObject

router = APIRouter(prefix="/v1/models", tags=["models"])

# Fixed so that listings are stable across restarts (the day Easel's API first served).
CREATED = 1764288000


def _served(context) -> list[str]:
    return ["dall-e-2", *context.settings.models]


@router.get("", response_model=ModelList)
def list_models(context: ContextDep, _key: CurrentKey):
    return ModelList(data=[ModelObject(id=name, created=CREATED) for name in _served(context)])


@router.get("/{model_id}", response_model=ModelObject)
def get_model(model_id: str, context: ContextDep, _key: CurrentKey):
    if model_id not in _served(context):
        raise not_found(f"The model '{model_id}' does not exist", "model", "model_not_found")
    return ModelObject(id=model_id, created=CREATED)
