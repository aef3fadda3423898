"""The worker's entry point: ``huey_consumer caseapp.jobs.worker.huey -k thread -w 2``.

Like wsgi.py it builds the app from the environment (the same CASEAPP_* settings as
the web servers: database, job queue, job file store, keys), and hands Huey's
consumer the app's queue, on which the job task and the periodic tasks are registered.
"""
from caseapp import create_app

app = create_app()
huey = app.extensions["caseapp_jobs"].huey
