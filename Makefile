# Thin wrappers over Meson. PREFIX and DESTDIR work as usual.
PREFIX ?= /usr/local
BUILD ?= build-release

all:
	@[ -d $(BUILD) ] || meson setup $(BUILD) --buildtype=release -Dtests=false --prefix=$(PREFIX)
	ninja -C $(BUILD)

test:
	scripts/test.sh

# The build files are regenerated after the prefix changes; without that, meson install
# would still use the prefix the build folder was set up with.
install: all
	meson configure $(BUILD) --prefix=$(PREFIX) >/dev/null
	ninja -C $(BUILD)
	DESTDIR=$(DESTDIR) meson install -C $(BUILD) --no-rebuild

# docs/rules.md and the rule tables of the other docs are generated from the rule table:
# regenerate them after changing a rule.
docs: all
	scripts/docs.sh $(BUILD)/unroot

clean:
	rm -rf build build-release build-asan build-tsan build-fuzz

.PHONY: all test install clean docs
