// Command etcd is the etcd server of the module's pinned release, built here because it is
// not published as a binary we may use: the same entry point as etcd's own main package.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
