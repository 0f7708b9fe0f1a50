package canary

// long is the canary command's help: what it changes, in each kind of
// release and through each router, and how it ends.
const long = `Start or resize the canary of release NAME: a Deployment NAME-canary with the
stable pod template and the new image(s), behind the same Service. The Service
spreads connections over the ready pods, so the canary's share of traffic is
its share of the pods: 1 canary pod beside 3 stable ones gets 25%. The stable
Deployment is not changed.

Through a route the weight is exact and independent of the pods: an HTTPRoute
of the namespace that sends traffic to the Service (found, or named with
--route httproute/NAME) gets its rules split by weight between a Service
NAME-canary, selecting only the canary's pods, and the stable pods (through
NAME-stable when the Service selects both); --header and --cookie add rules,
before the route's own, that send matching requests to the canary. With
--route ingress/NAME, ingress-nginx gets a canary Ingress NAME-canary beside
the user's, which is never changed. ship makes these Services and Ingress,
waits until they have ready endpoints before the route sends them traffic,
and removes them at promote or abort, which put the route back exactly.

When NAME is a StatefulSet (no Deployment has that name), its canary is its
--replicas (or --weight's share of its) highest ordinals: in one patch the
template gets the new image(s) and updateStrategy.rollingUpdate.partition
drops to replicas minus the canary's pods, and the StatefulSet records what
the patch changed, for 'kubectl ship promote' (the partition back to the
user's) and 'kubectl ship abort' (the template and partition back, a canary
pod that is not Ready deleted when OrderedReady would block the rollback).
A partition the user set is honoured; OnDelete and routes are refused. With
--steps the partition moves step by step; each hold's built-in gates judge
the pods of the update revision (the canary) against the others, by owner
and controller-revision-hash, and the canary's share of the ready pods.

When NAME is a DaemonSet (no Deployment or StatefulSet has that name), its
canary runs on --nodes N (or P% of its nodes, rounded up), the first by
name among the nodes that run its pods (and that --node-selector matches):
in one patch the template gets the new image(s) and the update strategy
becomes OnDelete, recording the user's template, strategy and the nodes;
then ship deletes the chosen nodes' pods, at most maxUnavailable at a time
and each batch once every node runs a ready pod, and the controller makes
them again from the new template. The other nodes' pods are never touched.
'kubectl ship promote' puts the user's strategy back (the controller rolls
the other nodes; under OnDelete ship does, by batches), 'kubectl ship abort'
the template, the chosen nodes' old pods and the strategy. With --steps the
canary grows node by node: each step is a number of nodes (2) or a
percentage of them (50%, rounded up, one node at least and never all), as
--nodes reads; each hold's built-in gate judges the canary's pods (on its
nodes, off the stable revision) against the others, by owner and
controller-revision-hash, and a failure rolls back as abort does.

Without a route, the weight that replica counts can reach is printed before anything changes.
Re-running with another --weight or --replicas resizes the canary; with the
same arguments it changes nothing. A canary on another image is only rolled
to the new one with --replace. --sticky sets the Service's sessionAffinity to
ClientIP until the canary is promoted or aborted, which restore it.

With --steps the canary advances by itself through the weights given (e.g.
10,25,50, "pause" where a person approves), each held for --interval while
its gates are checked every --check-every: the built-in health of its pods
and the stable ones, --analysis queries against --prometheus, --webhook
URLs. Then it is promoted (not with --no-promote). Across clusters, --wave
with --soak checks --analysis and --webhook in every cluster of a wave while
it soaks, with or without --steps. A failure past
--failure-limit aborts it, exactly as 'kubectl ship abort' does, and exits 4.
Interrupted, the same command resumes at the step recorded in the release's
record; 'kubectl ship abort' from another shell stops it. At a pause the
command waits for 'kubectl ship approve NAME' (it goes on) or 'kubectl ship
reject NAME' (it rolls back), recorded with who gave the verdict and why;
with --wait=false it records the pause and returns, and approve carries the
progression on.

A release policy gives the flags not typed their values, field by field:
--policy FILE, over the ReleasePolicy the Deployment carries in its
annotation kubectl-ship.dev/policy, over the namespace default its
annotation kubectl-ship.dev/policy-defaults names (a ConfigMap). So
'kubectl ship canary NAME --image IMAGE' runs the whole policy: steps, gates,
waves, notifications (--notify adds receivers). 'kubectl ship policy NAME'
shows it, and where each value comes from. --weight or --replicas typed
make a one-off canary (the policy's steps do not apply); --context typed
runs in that cluster alone (its waves do not apply).

Exit status is 0 once the canary pods are ready (or at once with --wait=false)
or the progression ended, 4 when its gates rolled it back, and 1 on any
other error; on a bad argument nothing in the cluster is changed.

`

const example = `  # Send 25% of the pods' traffic to 2.0.0: one canary pod beside three stable ones
  kubectl ship canary ctwoc --image ctwoc=example/ctwoc:2.0.0 --weight 25

  # Keep each client IP on the version it first reached
  kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --replicas 1 --sticky

  # Grow the running canary to half the pods
  kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --weight 50

  # Exactly 5% of the traffic of the HTTPRoute that sends traffic to Service ctwoc
  kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --weight 5

  # Only the testers' requests: a dark launch behind a header
  kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --weight 0 --header X-Canary=always

  # 10% through ingress-nginx: a canary Ingress beside Ingress ctwoc
  kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --weight 10 --route ingress/ctwoc

  # Across clusters: staging, then two regions, then Europe, each wave healthy for 10m
  kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --weight 25 \
    --wave staging --wave prod-us-east,prod-us-west --wave 'prod-eu-*' --soak 10m

  # The whole release policy the Deployment carries: steps, gates, waves, notifications
  kubectl ship canary ctwoc --image example/ctwoc:2.0.0`
