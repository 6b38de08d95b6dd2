import json
import math

from matching.evaluate import main, metrics, query_metrics, run_eval


def test_query_metrics_levels():
    ranked = ["90511000", "90400000", "45000000"]
    assert query_metrics(ranked, ["90420000"], 8) == (0.0, 0.0, 0.0)
    s, rr, nd = query_metrics(ranked, ["90420000"], 3)
    assert s == 1.0 and rr == 0.5 and math.isclose(nd, 1 / math.log2(3))
    assert query_metrics(ranked, ["90511000"], 8) == (1.0, 1.0, 1.0)
    # a gold prefix is only counted once, so two hits in the same group do not inflate nDCG
    s, rr, nd = query_metrics(["90511000", "90512000"], ["90513000"], 3)
    assert (s, rr, nd) == (1.0, 1.0, 1.0)
    # two gold codes: ideal DCG covers both
    s, rr, nd = query_metrics(["90511000", "x"], ["90511000", "45000000"], 8)
    assert math.isclose(nd, 1 / (1 + 1 / math.log2(3)))


def test_metrics_average():
    m = metrics([["a1000000"], ["b1000000"]], [["a1000000"], ["c1000000"]])
    assert m["exact"]["S@10"] == 0.5 and m["exact"]["MRR@10"] == 0.5


def _write(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(d) for d in [
        {"doc_id": "90400000", "text": "Sewage services"},
        {"doc_id": "90511000", "text": "Refuse collection services"},
        {"doc_id": "34144512", "text": "Refuse-compaction vehicles"},
    ]))
    task = tmp_path / "task.jsonl"
    task.write_text("\n".join(json.dumps(d) for d in [
        {"qid": "1", "query": "refuse collection in the town", "gold": ["90511000"], "env": True},
        {"qid": "2", "query": "sewage removal", "gold": ["90410000"], "env": False},
    ]))
    return task, corpus


def test_run_eval_bm25(tmp_path, capsys):
    task, corpus = _write(tmp_path)
    res = run_eval(str(task), str(corpus), encoder="bm25")
    assert res["n"] == 2 and res["n_env"] == 1
    assert res["all"]["group"]["S@10"] == 1.0
    assert res["env"]["exact"]["MRR@10"] == 1.0
    assert main(["--task", str(task), "--corpus", str(corpus), "--encoder", "bm25"]) == 0
    assert json.loads(capsys.readouterr().out)["encoder"] == "bm25"
