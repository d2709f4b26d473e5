#!/usr/bin/env python3
"""Rewrites a `docker save` archive so that `kind build node-image --type file` counts every image in it.

kind reads only four fixed archives (kube-apiserver/-controller-manager/-scheduler/-proxy.tar) and
takes the names it has "built" from the first of `manifest.json` (first entry only) or
`repositories` (every repository) that it meets in the tar stream; any image kubeadm lists that is
not among those names is pulled from its registry, which fails offline. containerd's import reads
manifest.json and stores other files as plain blobs, so a `repositories` written first, naming every
image of the archive, makes kind count them all while the import still loads each one.

Usage: kind-image-archive.py IN.tar OUT.tar [EXTRA_NAME...]
EXTRA_NAME (repo:tag) are names kind's build insists on although nothing here runs them (kindnetd
and local-path-provisioner: the cluster has no default CNI and no provisioner); they are only listed,
no image content is added for them.
"""
import json
import sys
import tarfile
import io


def main() -> None:
    src, dst, *extra = sys.argv[1:]
    with tarfile.open(src) as tin:
        manifest = json.load(tin.extractfile("manifest.json"))
        repositories: dict[str, dict[str, str]] = {}
        for entry in manifest:
            top_layer = entry["Layers"][-1].split("/")[0]
            for ref in entry.get("RepoTags") or []:
                repo, tag = ref.rsplit(":", 1)
                repositories.setdefault(repo, {})[tag] = top_layer
        for ref in extra:
            repo, tag = ref.rsplit(":", 1)
            repositories.setdefault(repo, {})[tag] = ""
        body = json.dumps(repositories).encode()
        with tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as tout:
            info = tarfile.TarInfo("repositories")
            info.size, info.mode = len(body), 0o644
            tout.addfile(info, io.BytesIO(body))
            for member in tin:
                if member.name == "repositories":
                    continue
                tout.addfile(member, tin.extractfile(member) if member.isfile() else None)
    print(f"{dst}: {', '.join(f'{r}:{t}' for r, tags in repositories.items() for t in tags)}")


if __name__ == "__main__":
    main()
