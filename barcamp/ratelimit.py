"""Rate limits keyed by participant (a whole ministry may share one IP address)."""

from limits import parse, storage, strategies

from barcamp.errors import RateLimited


class RateLimiter:
    """A thin binding of the `limits` library to the app's configured storage."""

    def __init__(self):
        self._strategy = None

    def init_app(self, app):
        backend = storage.storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        self._strategy = strategies.MovingWindowRateLimiter(backend)
        app.extensions["barcamp_ratelimit"] = self

    def hit(self, rule, *key):
        """Count one hit against `rule` ("10/minute") for `key`; False once over."""
        return self._strategy.hit(parse(rule), *map(str, key))

    def enforce(self, rule, *key):
        """Count one hit, or raise RateLimited."""
        if not self.hit(rule, *key):
            raise RateLimited()

    def reset(self):
        self._strategy.storage.reset()


limiter = RateLimiter()
