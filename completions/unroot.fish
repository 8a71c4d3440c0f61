# fish completion for unroot; installed as share/fish/vendor_completions.d/unroot.fish.

set -l __unroot_commands lint fix image simulate rules explain version serve
set -l __unroot_formats text json sarif junit checkstyle github gnu codeclimate

# Rule codes and names with their summaries, from the binary itself.
function __unroot_rules
    unroot rules 2>/dev/null | string replace -r '^(\S+)\s+(\S+)\s+\S+\s+(.*)$' '$1\t$3\n$2\t$3' | string split \n
end

# A comma-separated list: the words already typed, then each choice after them.
function __unroot_list
    set -l token (commandline -ct)
    set -l done (string replace -r '[^,]*$' '' -- $token)
    for choice in $argv
        echo $done$choice
    end
end

complete -c unroot -f

# The command word, only as the first argument.
complete -c unroot -n "not __fish_seen_subcommand_from $__unroot_commands" -a lint -d 'lint files, folders and images (the default)'
complete -c unroot -n "not __fish_seen_subcommand_from $__unroot_commands" -a fix -d 'apply the findings\' exact edits (diff, write or check)'
complete -c unroot -n "not __fish_seen_subcommand_from $__unroot_commands" -a image -d 'lint built images'
complete -c unroot -n "not __fish_seen_subcommand_from $__unroot_commands" -a simulate -d 'uid, gid and groups per platform and container'
complete -c unroot -n "not __fish_seen_subcommand_from $__unroot_commands" -a rules -d 'list the rules'
complete -c unroot -n "not __fish_seen_subcommand_from $__unroot_commands" -a explain -d 'what a rule checks, why, and how to fix it'
complete -c unroot -n "not __fish_seen_subcommand_from $__unroot_commands" -a version -d 'print the version'
complete -c unroot -n "not __fish_seen_subcommand_from $__unroot_commands" -a serve -d 'the admission webhook (docs/serve.md)'

# Paths to lint, except after the commands that take none.
complete -c unroot -n "not __fish_seen_subcommand_from rules explain version serve" -F

# explain RULE, and rules --format.
complete -c unroot -n "__fish_seen_subcommand_from explain" -x -a '(__unroot_rules)'
complete -c unroot -n "__fish_seen_subcommand_from rules" -s f -l format -x -a 'text markdown json' -d 'listing format'

# The options every linting command takes (unroot lint --help).
set -l lints "not __fish_seen_subcommand_from rules explain version serve"
complete -c unroot -n $lints -s f -l format -x -a "$__unroot_formats" -d 'report format'
complete -c unroot -n $lints -l output -r -F -d 'write the report to a file'
complete -c unroot -n $lints -l exclude -x -d 'leave out the paths a glob matches'
complete -c unroot -n $lints -l no-gitignore -d 'walk into what git ignores too'
complete -c unroot -n $lints -l baseline -r -F -d 'report only findings the baseline does not hold'
complete -c unroot -n $lints -l write-baseline -r -F -d 'record every finding in a baseline'
complete -c unroot -n $lints -l base-dir -x -a '(__fish_complete_directories)' -d 'folder code scanning paths are relative to'
complete -c unroot -n $lints -l platform -x -a '(__unroot_list docker podman kubernetes openshift)' -d 'platforms to check for'
complete -c unroot -n $lints -l min-uid -x -d 'lowest acceptable uid'
complete -c unroot -n $lints -l uid-range -x -d 'OpenShift namespace uid range START/LEN'
complete -c unroot -n $lints -l supplemental-groups -x -d 'OpenShift fsGroup range START/LEN'
complete -c unroot -n $lints -l image -x -d 'pair an image reference with a Dockerfile or image: REF=PATH'
complete -c unroot -n $lints -l fail-on -x -a 'error warning info none' -d 'lowest severity that fails'
complete -c unroot -n $lints -l ignore -x -a '(__unroot_list (__unroot_rules | string replace -r "\t.*" ""))' -d 'rules not to check'
complete -c unroot -n $lints -l config -r -F -d 'configuration file'
complete -c unroot -n $lints -l no-config -d 'read no configuration file'
complete -c unroot -n $lints -l color -x -a 'auto always never' -d 'when to use colour'
complete -c unroot -n $lints -s q -l quiet -d 'print findings only'
complete -c unroot -n $lints -l type -x -a 'dockerfile k8s helm image' -d 'input kind'
complete -c unroot -n $lints -l context -x -a '(__fish_complete_directories)' -d 'Dockerfile build context'
complete -c unroot -n $lints -s j -l jobs -x -d 'threads for many Dockerfiles'
complete -c unroot -n $lints -l arch -x -d 'image platform to pick from an index'
complete -c unroot -n $lints -l rootfs -x -a '(__fish_complete_directories)' -d 'unpacked root filesystem'
complete -c unroot -n $lints -l image-config -r -F -d 'image config JSON for --rootfs'
complete -c unroot -n $lints -l tree -x -d 'permission view of a path in the image'
complete -c unroot -n $lints -l os -x -d 'image OS to pick from an index'
complete -c unroot -n $lints -l variant -x -d 'image platform variant to pick from an index'
complete -c unroot -n $lints -l creds -x -d 'registry credentials: USER:PASSWORD'
complete -c unroot -n $lints -l cert-dir -x -a '(__fish_complete_directories)' -d 'CA and client certificates for registries'
complete -c unroot -n $lints -l tls-verify -x -a 'true false' -d 'check registry TLS certificates (--tls-verify=false)'
complete -c unroot -n $lints -l timeout -x -d 'seconds a registry may stay silent'
complete -c unroot -n $lints -l retry-times -x -d 'tries again after a failed registry request'
complete -c unroot -n $lints -l no-cache -d 'neither use nor fill the cache'
complete -c unroot -n $lints -l pull -d 'read the images manifests and FROM lines name'
complete -c unroot -n $lints -l helm -x -a '(__fish_complete_command)' -d 'helm binary'
complete -c unroot -n $lints -l values -r -F -d 'values file for helm template'
complete -c unroot -n $lints -l set -x -d 'value for helm template: KEY=VALUE'
complete -c unroot -n "__fish_seen_subcommand_from fix" -l diff -d 'print a unified diff (the default)'
complete -c unroot -n "__fish_seen_subcommand_from fix" -l write -d 'edit the files in place'
complete -c unroot -n "__fish_seen_subcommand_from fix" -l check -d 'exit 1 when anything would change'
complete -c unroot -n "__fish_seen_subcommand_from fix" -l rule -x -a '(__unroot_list (__unroot_rules | string replace -r "\t.*" ""))' -d 'fix only these rules'
complete -c unroot -n "__fish_seen_subcommand_from fix" -l from-image -x -d 'a derived Dockerfile for an image'
complete -c unroot -n "__fish_seen_subcommand_from serve" -l tls-cert -r -F -d 'TLS certificate (PEM)'
complete -c unroot -n "__fish_seen_subcommand_from serve" -l tls-key -r -F -d 'TLS private key (PEM)'
complete -c unroot -n "__fish_seen_subcommand_from serve" -l listen -x -d 'address and port: ADDR:PORT'
complete -c unroot -n "__fish_seen_subcommand_from serve" -l config -r -F -d 'policy, images, limits'
complete -c unroot -s h -l help -d 'print the options'
