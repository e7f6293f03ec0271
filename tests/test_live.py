"""Tallies are coalesced: at most one message per event per interval, the latest state."""

from barcamp.live.coalescer import Batcher, Coalescer


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.scheduled = []

    def clock(self):
        return self.now

    def later(self, delay, function, *args):
        self.scheduled.append((self.now + delay, function, args))

    def advance(self, seconds):
        self.now += seconds
        due = [item for item in self.scheduled if item[0] <= self.now]
        self.scheduled = [item for item in self.scheduled if item[0] > self.now]
        for _, function, args in due:
            function(*args)


def make(interval=0.25):
    time, sent = FakeTime(), []
    coalescer = Coalescer(interval, sent.append, later=time.later, clock=time.clock)
    return coalescer, time, sent


def test_the_first_change_goes_out_at_once():
    coalescer, _, sent = make()
    coalescer.changed("event-1")
    assert sent == ["event-1"]


def test_a_burst_of_changes_makes_one_more_message_at_the_end_of_the_interval():
    coalescer, time, sent = make()
    coalescer.changed("event-1")
    for _ in range(100):  # a hundred votes in 0.1 s
        time.advance(0.001)
        coalescer.changed("event-1")
    assert sent == ["event-1"]
    time.advance(0.25)
    assert sent == ["event-1", "event-1"]


def test_a_steady_stream_is_capped_at_four_messages_a_second():
    coalescer, time, sent = make()
    for _ in range(1000):  # 100 votes a second for 10 seconds
        coalescer.changed("event-1")
        time.advance(0.01)
    assert 38 <= len(sent) <= 41


def test_the_questions_of_a_plenary_go_out_less_often_than_tallies():
    time, sent = FakeTime(), []
    coalescer = Coalescer(
        0.1, sent.append, later=time.later, clock=time.clock, intervals={"questions": 0.5}
    )
    for _ in range(100):  # upvotes and votes, 50 a second each, for 2 seconds
        coalescer.changed((1, "tallies"))
        coalescer.changed((1, "questions"))
        time.advance(0.02)
    assert 19 <= sent.count((1, "tallies")) <= 21
    assert 4 <= sent.count((1, "questions")) <= 5


def test_while_the_process_has_time_to_spare_every_vote_shows_at_once():
    time, sent, spare = FakeTime(), [], [True]
    coalescer = Coalescer(
        0.1,
        sent.append,
        later=time.later,
        clock=time.clock,
        intervals={"questions": 0.5},
        spare=lambda: spare[0],
    )
    for _ in range(50):  # a second of votes and upvotes, 50 a second each
        coalescer.changed((1, "tallies"))
        coalescer.changed((1, "questions"))
        time.advance(0.02)
    assert sent.count((1, "tallies")) == 50
    assert 2 <= sent.count((1, "questions")) <= 3  # the plenary's list keeps its pace

    spare[0] = False  # the process falls behind: back to ten tallies a second at most
    before = sent.count((1, "tallies"))
    for _ in range(50):
        coalescer.changed((1, "tallies"))
        time.advance(0.02)
    assert 9 <= sent.count((1, "tallies")) - before <= 11


def test_events_are_coalesced_separately():
    coalescer, time, sent = make()
    coalescer.changed("a")
    coalescer.changed("b")
    coalescer.changed("a")
    assert sent == ["a", "b"]
    time.advance(0.3)
    assert sent == ["a", "b", "a"]


def test_a_quiet_event_sends_at_once_again():
    coalescer, time, sent = make()
    coalescer.changed("a")
    time.advance(5)
    coalescer.changed("a")
    assert sent == ["a", "a"]
    assert time.scheduled == []


def make_batcher(interval=0.25):
    time, sent = FakeTime(), []
    batcher = Batcher(
        interval,
        lambda key, messages: sent.append((key, messages)),
        later=time.later,
        clock=time.clock,
    )
    return batcher, time, sent


def test_an_arrival_alone_is_announced_at_once():
    batcher, _, sent = make_batcher()
    batcher.add("event-1", "Alice")
    assert sent == [("event-1", ["Alice"])]


def test_a_burst_of_arrivals_goes_out_in_one_batch_in_order():
    batcher, time, sent = make_batcher()
    batcher.add("event-1", "p0")
    for n in range(1, 13):  # fifty a second at the doors
        time.advance(0.02)
        batcher.add("event-1", f"p{n}")
    assert sent == [("event-1", ["p0"])]
    time.advance(0.25)
    assert sent == [("event-1", ["p0"]), ("event-1", [f"p{n}" for n in range(1, 13)])]


def test_another_change_sends_the_waiting_batch_first():
    batcher, time, sent = make_batcher()
    batcher.add("event-1", "p0")
    time.advance(0.01)
    batcher.add("event-1", "p1")
    batcher.flush("event-1")  # a topic is proposed: the arrival before it goes first
    assert sent == [("event-1", ["p0"]), ("event-1", ["p1"])]
    time.advance(0.3)  # the timer of the flushed batch finds nothing to send
    assert sent == [("event-1", ["p0"]), ("event-1", ["p1"])]
    batcher.flush("event-2")  # nothing waits there: nothing sent
    assert len(sent) == 2


def test_a_batch_of_votes_stored_together_sends_its_tallies_once(app, monkeypatch):
    from barcamp import live
    from barcamp.changes import Change

    asked = []
    coalescer = app.extensions["barcamp_live"]
    monkeypatch.setattr(coalescer, "changed", asked.append)
    fifty_votes = [Change(7, "tallies", coalesce=True) for _ in range(50)]
    with app.app_context():
        live.publish([*fifty_votes, Change(7, "occupancy", coalesce=True)])
    assert asked == [(7, "tallies"), (7, "occupancy")]
