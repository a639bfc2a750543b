import time

from django.db import connections

HEADER = "X-DB-Queries"
TIME_HEADER = "X-DB-Time"


class QueryCountMiddleware:
    """Counts the SQL statements a request runs (all databases) into the `X-DB-Queries` header, and
    the time spent in them (milliseconds, as seen from the worker) into `X-DB-Time`.

    An execute wrapper, not `DEBUG` query logging: it keeps no SQL text, so it costs next to nothing
    and the ceiling view pays it too. Django's connection health check (`SELECT 1` on a reused
    connection, CONN_HEALTH_CHECKS) runs on the raw driver connection and is not seen here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count, spent = 0, 0.0

        def counter(execute, sql, params, many, context):
            nonlocal count, spent
            count += 1
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent += time.perf_counter() - start

        wrappers = [connections[alias].execute_wrapper(counter) for alias in connections]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response[HEADER] = str(count)
        response[TIME_HEADER] = f"{spent * 1000:.2f}"
        return response
