package main

// statefulRequests are the read verbs' requests on a StatefulSet's release,
// which the bench's workflow (a Deployment) does not take: the e2e suite
// holds them exactly, whatever the number of pods.
const statefulRequests = `
On a StatefulSet (db, 4 pods, a canary on db-3), from the e2e suite's counts (` + "`TestStatefulSetStatusAndList`" + ` and ` + "`TestStatefulSetHistory`" + ` hold them exactly). Each starts from the Deployment of that name, which is not there: ` + "`status`" + `'s list of the Deployments, ` + "`history`" + `'s GET.

| Command | Requests | GET | LIST | WATCH | POST | PUT | PATCH | DELETE |
|---|--:|--:|--:|--:|--:|--:|--:|--:|
| ` + "`status db`" + ` (the Deployments, the StatefulSet, its pods, the lock) | 4 | 2 | 2 | 0 | 0 | 0 | 0 | 0 |
| ` + "`list`" + ` (a namespace holding a StatefulSet's release: one more LIST, of the StatefulSets) | 5 | 0 | 5 | 0 | 0 | 0 | 0 | 0 |
| ` + "`history db`" + ` (the Deployment, the StatefulSet, its ControllerRevisions, the lock) | 4 | 3 | 1 | 0 | 0 | 0 | 0 | 0 |
`
