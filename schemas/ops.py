"""What the operators' endpoints answer: health, readiness, queue state, dead-letter replay."""

import marshmallow as ma


class HealthSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "Always 'ok' while the process is up."})


class ReadySchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "'ready'"})
    redis = ma.fields.String(metadata={"description": "'ok'"})


class QueueStateSchema(ma.Schema):
    depth = ma.fields.Integer(metadata={"description": "Entries waiting."})
    oldest_age_s = ma.fields.Float(allow_none=True, metadata={
        "description": "Age in seconds of the oldest entry; null when the queue is empty."})


class WorkerStateSchema(ma.Schema):
    name = ma.fields.String()
    active = ma.fields.Integer(metadata={"description": "Tasks running now."})
    reserved = ma.fields.Integer(metadata={"description": "Tasks taken from the queue, not yet running."})


class QueuesSchema(ma.Schema):
    queues = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(QueueStateSchema),
                            metadata={"description": "intake, then each Celery queue."})
    workers = ma.fields.List(ma.fields.Nested(WorkerStateSchema))
    jobs_last_hour = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                                    metadata={"description": "Jobs of the last hour: `accepted`, then `succeeded` and "
                                              "`failed` as they finished (per-minute counters: one "
                                              "round trip however many jobs)."})
    deliveries_due = ma.fields.Integer(metadata={"description": "Callbacks waiting for their next attempt."})
    dead_letters = ma.fields.Integer(metadata={"description": "Callbacks given up on (replayable)."})


class ReplaySchema(ma.Schema):
    replayed = ma.fields.List(ma.fields.String(), metadata={"description": "Job ids whose callback is sent again."})
