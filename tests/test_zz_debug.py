import json
from tests.conftest import auth
from tests.test_happy_path import DEMO
def test_show(client, sample_archive):
    r = client.post("/v1/enrichments", json=DEMO, headers={**auth(), "Prefer": "wait=20"})
    assert r.status_code == 200, r.json
    open("/tmp/demo_out.json","w").write(json.dumps(r.json, indent=1))
