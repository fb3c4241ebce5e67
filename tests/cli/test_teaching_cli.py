"""compare, quiz, faults, --fault and the lesson index on the command line."""

import json

from simulator.cli.main import main


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_quiz_json_twenty_distinct_questions(capsys):
    code, out, _ = run(capsys, "quiz", "--count", "20", "--seed", "1", "--format", "json")
    assert code == 0
    items = json.loads(out)
    assert len(items) == 20 and len({q["question"] for q in items}) == 20
    for q in items:
        assert {"question", "choices", "answer", "explanation", "scenario"} <= q.keys()
        assert len(q["choices"]) >= 3 and len(set(q["choices"])) == len(q["choices"]) and q["answer"] in q["choices"]


def test_quiz_same_seed_same_output(capsys):
    _, a, _ = run(capsys, "quiz", "--count", "8", "--seed", "5", "--format", "gift")
    _, b, _ = run(capsys, "quiz", "--count", "8", "--seed", "5", "--format", "gift")
    assert a == b and a.count("::Q") == 8


def test_quiz_markdown_and_scenario_filter(capsys):
    code, out, _ = run(capsys, "quiz", "--scenario", "user-unknown", "--count", "3", "--format", "md")
    assert code == 0 and out.startswith("# smtpsim quiz") and "## Answers" in out
    assert "*user-unknown ·" in out


def test_quiz_bad_count_is_exit_2(capsys):
    code, _, err = run(capsys, "quiz", "--count", "0", "--format", "json")
    assert code == 2 and "--count expects 1 to 500" in err


def test_run_with_a_fault_toggle(capsys):
    code, out, _ = run(capsys, "run", "submission-starttls", "--fault", "user-unknown", "--json")
    assert code == 0
    texts = [json.loads(line)["text"] for line in out.splitlines()]
    assert any(t.startswith("550 5.1.1") for t in texts)
    assert any(t.startswith("MAIL FROM:<>") for t in texts)


def test_unknown_fault_lists_the_ones_that_fit(capsys):
    code, out, err = run(capsys, "run", "submission-starttls", "--fault", "meteor")
    assert code == 2 and out == ""
    assert 'found "meteor"' in err and "greylisting" in err and len(err.strip().splitlines()) == 1


def test_faults_lists_toggles(capsys):
    code, out, _ = run(capsys, "faults", "submission-starttls")
    names = [line.split()[0] for line in out.splitlines()]
    assert code == 0 and {"mx-down", "greylisting", "starttls-stripped", "bad-password"} <= set(names)


def test_compare_shows_both_runs_hop_by_hop(capsys):
    code, out, _ = run(capsys, "compare", "submission-starttls", "submission-starttls", "--fault-b", "starttls-stripped")
    assert code == 0
    rows = [line for line in out.splitlines() if "STARTTLS stripped!" in line]
    assert rows and all(line.index("STARTTLS stripped!") > len(line) // 2 for line in rows)


def test_compare_587_against_465(capsys):
    code, out, _ = run(capsys, "compare", "submission-starttls", "submission-implicit-tls")
    first_hop = next(line for line in out.splitlines() if "alice → msa" in line)
    assert "msa:587" in first_hop and "msa:465" in first_hop


def test_list_groups_lessons_from_basics_to_attacks(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    basics, failures, attacks = (out.index(h) for h in ("1. First principles", "2. When mail", "3. Attacks"))
    assert basics < failures < attacks
    assert out.index("submission-starttls") < failures < out.index("greylisting") < attacks < out.index("starttls-stripped")


def test_a_bad_timer_names_the_timer(capsys):
    code, _, err = run(capsys, "quiz", "--timer", "0")
    assert code == 2 and "--timer expects 1 to 500, found 0" in err


def test_faults_names_the_scenarios_own_faults_and_offers_no_copy_of_them(capsys):
    code, out, _ = run(capsys, "faults", "mx-failover")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "# in the scenario file: mx1.example.net down"
    mx_down = next(line for line in lines if line.startswith("mx-down "))
    assert "mx2.example.net down" in mx_down and "mx1" not in mx_down
    # Every other line starts with a name --fault takes.
    names = [line.split()[0] for line in lines if not line.startswith("#")]
    code, _, err = run(capsys, "run", "mx-failover", "--json", *[x for n in names[:1] for x in ("--fault", n)])
    assert code == 0, err
