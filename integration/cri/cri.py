#!/usr/bin/python3
"""A small CRI client for the tests (crictl is not in Debian 12).

Usage: cri.py -a SOCKET [-p PB2DIR] [-t SECONDS] VERB [ARGS]

  version | status | images
  runp POD.json [HANDLER]          RunPodSandbox; prints the pod id
  stopp ID | rmp ID                StopPodSandbox, RemovePodSandbox
  inspectp ID                      PodSandboxStatus (verbose), JSON
  pods                             ListPodSandbox, JSON
  create POD_ID CTR.json POD.json  CreateContainer; prints the container id
  start ID | rm ID                 StartContainer, RemoveContainer
  stop ID SECONDS                  StopContainer with that grace period
  inspect ID                       ContainerStatus (verbose), JSON
  ps [POD_ID]                      ListContainers, JSON
  exec ID SECONDS CMD...           ExecSync: stdout and stderr as they came, exits with the code
  stats ID | statsall [POD_ID]     ContainerStats, ListContainerStats, JSON
  update ID RESOURCES.json         UpdateContainerResources (LinuxContainerResources as JSON)

-q PATH[,PATH...] prints values of the JSON reply instead, separated by spaces (dots between
keys, e.g. status.state, info.info.pid: a value that is itself JSON text is decoded first); a
missing key prints as nothing. An RPC error is printed as `rpc error: code = CODE desc = MESSAGE` on stderr and
the exit status is 200. The .proto is compiled by the caller (protoc --python_out=PB2DIR).
"""
import argparse
import json
import sys

import grpc
from google.protobuf import json_format

ERR_EXIT = 200


def load_pb2(path):
    sys.path.insert(0, path)
    import cri_api_pb2  # noqa: E402  (generated at test time)
    return cri_api_pb2


def parse_json(pb2, name, path):
    with open(path, encoding="utf-8") as f:
        return json_format.Parse(f.read(), getattr(pb2, name)())


def call(chan, pb2, service, method, req, resp_name, timeout):
    fn = chan.unary_unary(
        "/runtime.v1.%s/%s" % (service, method),
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=getattr(pb2, resp_name).FromString,
    )
    return fn(req, timeout=timeout)


def to_dict(msg):
    d = json_format.MessageToDict(msg, preserving_proto_field_name=True,
                                  including_default_value_fields=True)
    return d


def pick(d, path):
    cur = d
    for key in path.split("."):
        if isinstance(cur, str):
            try:
                cur = json.loads(cur)
            except ValueError:
                return None
        if isinstance(cur, list):
            try:
                cur = cur[int(key)]
            except (ValueError, IndexError):
                return None
        elif isinstance(cur, dict):
            if key not in cur:
                return None
            cur = cur[key]
        else:
            return None
    return cur


def text(v):
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def emit(d, query):
    if not query:
        print(json.dumps(d, indent=1, sort_keys=True))
        return
    vals = [pick(d, q) for q in query.split(",")]
    if len(vals) == 1 and vals[0] is None:
        return
    print(" ".join(text(v) for v in vals))


def run(args, pb2, chan):
    v, a, t = args.verb, args.args, args.timeout
    R, I = "RuntimeService", "ImageService"

    def rpc(service, method, req):
        return call(chan, pb2, service, method, req, method + "Response", t)

    if v == "version":
        return to_dict(rpc(R, "Version", pb2.VersionRequest(version="v1")))
    if v == "status":
        return to_dict(rpc(R, "Status", pb2.StatusRequest(verbose=False)))
    if v == "images":
        return to_dict(rpc(I, "ListImages", pb2.ListImagesRequest()))
    if v == "runp":
        req = pb2.RunPodSandboxRequest(config=parse_json(pb2, "PodSandboxConfig", a[0]),
                                       runtime_handler=a[1] if len(a) > 1 else "")
        print(rpc(R, "RunPodSandbox", req).pod_sandbox_id)
        return None
    if v == "stopp":
        rpc(R, "StopPodSandbox", pb2.StopPodSandboxRequest(pod_sandbox_id=a[0]))
        return None
    if v == "rmp":
        rpc(R, "RemovePodSandbox", pb2.RemovePodSandboxRequest(pod_sandbox_id=a[0]))
        return None
    if v == "inspectp":
        return to_dict(rpc(R, "PodSandboxStatus",
                           pb2.PodSandboxStatusRequest(pod_sandbox_id=a[0], verbose=True)))
    if v == "pods":
        return to_dict(rpc(R, "ListPodSandbox", pb2.ListPodSandboxRequest()))
    if v == "create":
        req = pb2.CreateContainerRequest(
            pod_sandbox_id=a[0], config=parse_json(pb2, "ContainerConfig", a[1]),
            sandbox_config=parse_json(pb2, "PodSandboxConfig", a[2]))
        print(rpc(R, "CreateContainer", req).container_id)
        return None
    if v == "start":
        rpc(R, "StartContainer", pb2.StartContainerRequest(container_id=a[0]))
        return None
    if v == "stop":
        rpc(R, "StopContainer", pb2.StopContainerRequest(container_id=a[0], timeout=int(a[1])))
        return None
    if v == "rm":
        rpc(R, "RemoveContainer", pb2.RemoveContainerRequest(container_id=a[0]))
        return None
    if v == "inspect":
        return to_dict(rpc(R, "ContainerStatus",
                           pb2.ContainerStatusRequest(container_id=a[0], verbose=True)))
    if v == "ps":
        f = pb2.ContainerFilter(pod_sandbox_id=a[0] if a else "")
        return to_dict(rpc(R, "ListContainers", pb2.ListContainersRequest(filter=f)))
    if v == "exec":
        r = rpc(R, "ExecSync", pb2.ExecSyncRequest(container_id=a[0], timeout=int(a[1]),
                                                   cmd=a[2:]))
        sys.stdout.buffer.write(r.stdout)
        sys.stdout.flush()
        sys.stderr.buffer.write(r.stderr)
        sys.stderr.flush()
        sys.exit(r.exit_code)
    if v == "stats":
        return to_dict(rpc(R, "ContainerStats", pb2.ContainerStatsRequest(container_id=a[0])))
    if v == "statsall":
        f = pb2.ContainerStatsFilter(pod_sandbox_id=a[0] if a else "")
        return to_dict(rpc(R, "ListContainerStats", pb2.ListContainerStatsRequest(filter=f)))
    if v == "update":
        req = pb2.UpdateContainerResourcesRequest(
            container_id=a[0], linux=parse_json(pb2, "LinuxContainerResources", a[1]))
        rpc(R, "UpdateContainerResources", req)
        return None
    sys.exit("cri.py: unknown verb %s" % v)


def main():
    p = argparse.ArgumentParser(usage=__doc__)
    p.add_argument("-a", "--address", required=True)
    p.add_argument("-p", "--pb2", default=".")
    p.add_argument("-t", "--timeout", type=float, default=60)
    p.add_argument("-q", "--query")
    p.add_argument("verb")
    p.add_argument("args", nargs=argparse.REMAINDER)
    args = p.parse_args()
    pb2 = load_pb2(args.pb2)
    with grpc.insecure_channel("unix://" + args.address) as chan:
        try:
            out = run(args, pb2, chan)
        except grpc.RpcError as e:
            sys.stderr.write("rpc error: code = %s desc = %s\n" % (e.code().name, e.details()))
            sys.exit(ERR_EXIT)
    if out is not None:
        emit(out, args.query)


if __name__ == "__main__":
    main()
