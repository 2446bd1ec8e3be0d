"""The complete example of rulesets/README.md loads and behaves as documented."""

import datetime as dt
import re

from fundrules import Engine, load_catalog

from .conftest import ROOT


def test_documented_example_loads_and_evaluates(tmp_path):
    doc = (ROOT / "rulesets" / "README.md").read_text(encoding="utf-8")
    for block in re.findall(r"```yaml\n(.*?)\n```", doc, re.S):
        relative = re.match(r"# rulesets/(\S+)", block).group(1)
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block, encoding="utf-8")
    catalog = load_catalog(tmp_path)
    engine = Engine(catalog, backend="python")
    case = {
        "date_demande": "2017-05-02",
        "operateur": "apec",
        "beneficiaire": {"age": 27, "statut": "demandeur_emploi", "inscrit_pole_emploi": True},
    }
    result = engine.evaluate(case).result("demo")
    assert result.status == "blocked" and "moins de 25 ans" in result.blockers[0].message
    assert engine.evaluate(case, as_of=dt.date(2018, 1, 1)).result("demo").status == "eligible"
    assert (
        engine.evaluate(case, as_of=dt.date(2015, 12, 31)).result("demo").message
        == "L'aide n'existe qu'à partir du 01/01/2016."
    )
    assert engine.evaluate(case, as_of=dt.date(2021, 1, 1)).result("demo").status == "not_in_force"
