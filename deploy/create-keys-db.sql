CREATE DATABASE aixin_keys OWNER aixin;
