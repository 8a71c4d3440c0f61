source ${HTTPD_CONTAINER_SCRIPTS_PATH}/common.sh

config_mpm
