from django.db import connections

HEADER = "X-DB-Queries"


class QueryCountMiddleware:
    """Counts the SQL statements a request runs (all databases) into the `X-DB-Queries` header.

    An execute wrapper, not `DEBUG` query logging: it keeps no SQL text, so it costs next to nothing
    and the ceiling view pays it too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        wrappers = [connections[alias].execute_wrapper(counter) for alias in connections]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response[HEADER] = str(count)
        return response
