"""The national-shaped generator (nianbao.synth.national): the shape of the country at scale 1,
the same files from the same arguments, smaller scales nested in larger ones."""

from nianbao.synth.national import COUNTIES, GRADUATES, PROVINCES, SCHOOLS, STUDENTS, generate, registry


def test_the_registry_at_scale_one_has_the_shape_of_the_country():
    areas, schools = registry(2022, 1.0, 1.0)
    levels = {lv: [a for a in areas if a.level == lv] for lv in ("province", "city", "county")}
    assert len(levels["province"]) == 31 and len(levels["county"]) == COUNTIES
    assert len(levels["city"]) == sum(n for _, _, n in PROVINCES)  # 337 prefecture-level divisions
    assert abs(len(schools) - SCHOOLS) < 0.03 * SCHOOLS
    # about 13 M students and 4 M graduates a year
    assert abs(sum(s.students for s in schools) - STUDENTS) < 0.1 * STUDENTS
    assert abs(sum(s.graduates for s in schools) - GRADUATES) < 0.1 * GRADUATES
    # GB/T 2260-style codes: PP0000, PPCC00, PPCCXX; schools 0 + county + serial, ten digits, unique
    assert all(p.code.endswith("0000") for p in levels["province"])
    assert all(c.code[:2] + "0000" == c.parent and c.code.endswith("00") for c in levels["city"])
    assert all(k.code[:4] + "00" == k.parent for k in levels["county"])
    codes = [s.org.code for s in schools]
    assert len(set(codes)) == len(codes) and all(len(c) == 10 and c[1:7] == s.org.county
                                                 for c, s in zip(codes, schools))


def test_smaller_scales_keep_a_subset_of_the_same_schools():
    small = {s.org.code for s in registry(2022, 0.05, 1.0)[1]}
    large = {s.org.code for s in registry(2022, 0.2, 1.0)[1]}
    assert small < large and 0.03 * SCHOOLS < len(small) < 0.07 * SCHOOLS


def test_the_same_arguments_give_the_same_files(tmp_path):
    a = generate(tmp_path / "a", scale=0.002, record_scale=0.05)
    b = generate(tmp_path / "b", scale=0.002, record_scale=0.05)
    assert a == b
    for name in ("orgs.csv", "dataset.yaml", "records/students-2022.parquet", "records/graduates-2022.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    c = generate(tmp_path / "c", scale=0.002, record_scale=0.05, seed=7)
    assert (tmp_path / "c" / "records/students-2022.parquet").read_bytes() != \
        (tmp_path / "a" / "records/students-2022.parquet").read_bytes()
    assert c["schools"] > 0


def test_one_file_a_province_holds_the_records_of_the_whole_file(tmp_path):
    import csv

    generate(tmp_path / "whole", scale=0.004, record_scale=0.02, fmt="csv")
    generate(tmp_path / "parts", scale=0.004, record_scale=0.02, fmt="csv", parts=True)
    for kind in ("students", "graduates"):
        whole = list(csv.reader((tmp_path / "whole" / "records" / f"{kind}-2022.csv").open(encoding="utf-8")))
        files = sorted((tmp_path / "parts" / "records").glob(f"{kind}-2022-*.csv"))
        assert len(files) > 3 and not (tmp_path / "parts" / "records" / f"{kind}-2022.csv").exists()
        rows = []
        for f in files:
            header, *body = list(csv.reader(f.open(encoding="utf-8")))
            assert header == whole[0]
            province = f.stem.rsplit("-", 1)[1]  # 110000 …: its schools' codes are 0 + 11 …
            assert province.endswith("0000") and all(r[0][1:3] == province[:2] for r in body), f.name
            rows += body
        assert sorted(rows) == sorted(whole[1:]), kind  # every record in exactly one part
