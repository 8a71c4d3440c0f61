# What the golden files cover; sourced by run.sh and update.sh.
# Every format, plus text with colour and the offending line (synthetic report only).
formats=(text json sarif junit checkstyle github gnu codeclimate)
synth_formats=("${formats[@]}" text-tty)
# The CLI goldens lint these, from tests/golden/inputs (which is also --base-dir, so
# paths do not depend on where the tree is checked out), in this order: Dockerfiles that
# pass and fail, a parse error, an unused suppression, manifests in YAML and JSON, a
# YAML syntax error, an image (docker-archive, made by make-image.py; its findings have no
# text source), and a path that does not exist.
cli_inputs=(Dockerfile root.Dockerfile heredoc.Dockerfile suppressed.Dockerfile deploy.yaml
	pod.json broken.yaml app.tar missing.Dockerfile)
# The simulate golden: its JSON, from tests/golden/inputs, a manifest paired with the image,
# the image alone, and a YAML syntax error.
sim_args=(--no-config -f json --image 'ghcr.io/example/web*=app.tar' deploy.yaml app.tar broken.yaml)
