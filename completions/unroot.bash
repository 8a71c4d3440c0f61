# bash completion for unroot                                -*- shell-script -*-
# Installed as share/bash-completion/completions/unroot.

_unroot()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	local commands="lint fix image simulate rules explain version serve"
	local formats="text json sarif junit checkstyle github gnu codeclimate"
	local opts="--format --output --base-dir --exclude --no-gitignore --baseline --write-baseline --platform --min-uid --uid-range --supplemental-groups
		--image --fail-on --ignore --config --no-config --color --quiet --type --context --jobs
		--arch --os --variant --creds --cert-dir --tls-verify --tls-verify=false --timeout --retry-times --no-cache --pull --rootfs
		--image-config --tree --helm --values --set --help"

	local cmd="" i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		lint | fix | image | simulate | rules | explain | version | serve)
			cmd=${words[i]}
			break
			;;
		esac
	done

	case $prev in
	-f | --format)
		if [[ $cmd == rules ]]; then
			COMPREPLY=($(compgen -W "text markdown json" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$formats" -- "$cur"))
		fi
		return
		;;
	--platform)
		# A comma-separated list: complete the word after the last comma.
		local done=${cur%"${cur##*,}"}
		COMPREPLY=($(compgen -P "$done" -W "docker podman kubernetes openshift" -- "${cur##*,}"))
		return
		;;
	--fail-on)
		COMPREPLY=($(compgen -W "error warning info none" -- "$cur"))
		return
		;;
	--color | --colour)
		COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
		return
		;;
	--type)
		COMPREPLY=($(compgen -W "dockerfile k8s helm image" -- "$cur"))
		return
		;;
	--output | --config | --values | --image-config | --baseline | --write-baseline)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--context | --rootfs | --cert-dir | --base-dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--helm)
		COMPREPLY=($(compgen -c -- "$cur"))
		return
		;;
	--ignore | --rule)
		local done=${cur%"${cur##*,}"}
		COMPREPLY=($(compgen -P "$done" -W "$(unroot rules 2>/dev/null | awk '{print $1}')" -- "${cur##*,}"))
		return
		;;
	--min-uid | --uid-range | --supplemental-groups | --image | --arch | --tree | --set | --exclude | \
		--os | --variant | --creds | --timeout | --retry-times)
		return
		;;
	esac

	if [[ $cmd == serve ]]; then
		case $prev in
		--tls-cert | --tls-key | --config)
			COMPREPLY=($(compgen -f -- "$cur"))
			;;
		--listen) ;;
		*)
			COMPREPLY=($(compgen -W "--tls-cert --tls-key --listen --config --help" -- "$cur"))
			;;
		esac
		return
	fi
	if [[ $cmd == explain ]]; then
		COMPREPLY=($(compgen -W "$(unroot rules 2>/dev/null | awk '{print $1, $2}')" -- "$cur"))
		return
	fi
	if [[ $cur == -* && $cmd == fix ]]; then
		COMPREPLY=($(compgen -W "--diff --write --check --rule --from-image $opts" -- "$cur"))
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	if [[ -z $cmd && $cword -eq 1 ]]; then
		COMPREPLY=($(compgen -W "$commands" -- "$cur") $(compgen -f -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -o bashdefault -F _unroot unroot
