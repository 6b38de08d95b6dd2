from matching.taxonomy import CpvTaxonomy, check_digit, default_taxonomy


def test_levels_and_parents():
    t = default_taxonomy()
    assert t.level("90000000") == 2 and t.level("90400000") == 3 and t.level("90510000") == 4
    assert t.parent("90513600") == "90513000"
    assert t.parent("90000000") is None
    assert t.path("90513600") == ("90000000", "90500000", "90510000", "90513000", "90513600")
    assert t.shared_path("90513600", "90511000") == ("90000000", "90500000", "90510000")
    assert t.shared_path("90513600", "45000000") == ()


def test_validate():
    t = default_taxonomy()
    assert t.validate("90400000").ok
    assert t.validate("90400000-1").ok
    assert not t.validate("90400000-2").ok
    assert t.validate("12345678").error.startswith("unknown")
    assert not t.validate("9040").ok
    assert t.valid_codes(["90400000-1", "bogus", "12345678", "90400000"]) == ("90400000",)


def test_check_digits_of_published_codes():
    for code, cd in [("45000000", 7), ("03000000", 1), ("71313000", 5), ("34144510", 6), ("90511000", 2)]:
        assert check_digit(code) == cd


def test_labels_and_fallback():
    t = default_taxonomy()
    assert t.label("90400000", "en") == "Sewage services"
    assert t.label("90400000", "es")
    assert t.label("90400000", "vi") != t.label("90400000", "en")  # Vietnamese label exists
    assert t.label("03111100", "vi") == t.label("03111100", "en")  # fallback


def test_search_prefix_and_words():
    t = default_taxonomy()
    assert [c for c, _ in t.search("9040", limit=3)][0] == "90400000"
    hits = [c for c, _ in t.search("nuoc thai", lang="vi", limit=20)]
    assert any(c.startswith("904") for c in hits)
    assert [c for c, _ in t.search("sewage treatment", limit=5)][0].startswith("904")
    assert t.search("", limit=5) == []


def test_custom_csv(tmp_path):
    p = tmp_path / "cpv.csv"
    p.write_text("code,label_en,label_es\n90000000,Env,Amb\n90400000,Sewage,Aguas\n", encoding="utf-8")
    t = CpvTaxonomy(p, tmp_path / "missing.csv")
    assert len(t) == 2 and t.label("90400000", "vi") == "Sewage"


def test_lexical_suggester_ranks_codes_for_a_whole_description_with_or_without_accents():
    from matching.suggest import LexicalCpvSuggester

    sug = LexicalCpvSuggester()
    text = "Vận hành trạm xử lý nước thải sinh hoạt cho khu dân cư"
    top = [code for code, _ in sug.suggest(text, k=5)]
    assert "90481000" in top  # operation of a sewage treatment plant
    assert [c for c, _ in sug.suggest("van hanh tram xu ly nuoc thai sinh hoat cho khu dan cu", k=5)] == top
    assert sug.suggest("zzqx wibble", k=5) == [] and sug.suggest("   ", k=5) == []
