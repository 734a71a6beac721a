"""Operations on stored apps: authoring, publishing, query logs, batch tests, readiness."""
