"""Who trains what: the job queue in the database and the worker process that runs it."""
