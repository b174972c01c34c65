"""Billing background work. Every task is idempotent."""

from saas_platform.celery import app


@app.task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(ConnectionError,), retry_backoff=True,
          max_retries=8)
def stripe_event_process(*, event_id: str) -> None:
    from billing.stripe_sync import stripe_event_process as process

    process(event_id=event_id)


@app.task(acks_late=True, reject_on_worker_lost=True)
def dunning_daily() -> dict:
    from billing.dunning import dunning_run

    return dunning_run()
