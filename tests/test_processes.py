"""Child processes are started with posix_spawn and talked to through cooperative pipes
(barcamp/processes.py): what a child is given and what it answers, its exit code, its
errors and its end when killed are those of the standard library's subprocess."""

import json
import tempfile

import gevent

from barcamp.processes import Child


def test_a_child_reads_what_it_is_given_and_its_answer_comes_back():
    with Child("json.tool") as child:
        output = child.communicate(json.dumps({"b": 1, "a": [1, 2]}).encode())
        assert child.wait() == 0
    assert json.loads(output) == {"b": 1, "a": [1, 2]}


def test_a_large_input_and_output_do_not_block_each_other():
    document = json.dumps([{"topic": index, "voters": list(range(50))} for index in range(4000)])
    with Child("json.tool") as child:
        output = child.communicate(document.encode())
        assert child.wait() == 0
    assert json.loads(output) == json.loads(document)


def test_a_failing_child_gives_its_code_and_its_errors():
    with tempfile.TemporaryFile() as errors:
        with Child("json.tool", errors=errors) as child:
            child.communicate(b"{not json")
            assert child.wait() == 1
        errors.seek(0)
        assert b"Expecting property name" in errors.read()


def test_a_killed_child_ends_and_the_loop_keeps_running_meanwhile():
    ticks = []

    def tick():
        for _ in range(30):
            gevent.sleep(0.01)
            ticks.append(1)

    ticker = gevent.spawn(tick)
    with Child("timeit") as child:  # `python -m timeit` times `pass` for a second or two
        gevent.sleep(0.1)
        assert child.poll() is None
        child.kill()
        assert child.returncode == -9
    ticker.join()
    assert len(ticks) == 30
