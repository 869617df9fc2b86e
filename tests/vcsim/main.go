// vcsim-vnav starts VMware's own vCenter simulator (govmomi's simulator.VPX model, as packaged
// by Debian) on 127.0.0.1, prints how to reach it, and serves until killed. vnav's integration
// tests prove its SOAP client against it, so the SOAP path is checked against a peer vnav did
// not write.
//
// Output, one line each:  vcsim <url>  then  credentials <user> <password>
package main

import (
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
	// Registers the /rest (vAPI) session and tagging endpoints.
	_ "github.com/vmware/govmomi/vapi/simulator"
)

func main() {
	model := simulator.VPX()
	defer model.Remove()
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, "vcsim:", err)
		os.Exit(1)
	}
	model.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword("vnav", "vnav-demo")}
	// Without this the /rest endpoints all answer 404.
	model.Service.RegisterEndpoints = true
	server := model.Service.NewServer()
	defer server.Close()

	u := *server.URL
	u.User = nil
	u.Path = ""
	fmt.Printf("vcsim %s\n", u.String())
	fmt.Println("credentials vnav vnav-demo")
	os.Stdout.Sync()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}
