package greynoise

import (
	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti/titest"
)

// testKey is the shared distinctive key (a leak is easy to grep for).
const testKey = titest.Key

// testClient is a client suited to tests: no rate limit, quick retries.
func testClient(opts httpx.Options) *httpx.Client { return titest.Client(Name, opts) }
